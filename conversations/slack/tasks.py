"""Celery tasks of the Slack and Teams integration (imported by ConversationsConfig.ready()):
thin, by id, safe to run twice."""

import time

from celery import shared_task

MAX_RETRIES = 5
EAGER_ATTEMPTS = 3  # the embedded mode has no worker to wait: a few short waits, then failed
EAGER_WAIT_MAX = 2.0


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def chat_delivery_send_task(self, delivery_id: int) -> str:
    from .client import RateLimited, SlackError
    from .delivery import chat_delivery_fail, chat_delivery_send

    if self.request.is_eager:
        for attempt in range(EAGER_ATTEMPTS):
            try:
                delivery = chat_delivery_send(delivery_id=delivery_id)
            except RateLimited as exc:
                if attempt + 1 == EAGER_ATTEMPTS:
                    chat_delivery_fail(delivery_id=delivery_id, error=f"rate limited (Retry-After {exc.retry_after} s)")
                    return "failed"
                time.sleep(min(float(exc.retry_after), EAGER_WAIT_MAX))
            except (SlackError, OSError) as exc:
                chat_delivery_fail(delivery_id=delivery_id, error=str(exc))
                return "failed"
            else:
                return delivery.status if delivery else "missing"
    try:
        delivery = chat_delivery_send(delivery_id=delivery_id)
    except RateLimited as exc:
        # a worker waits Slack's Retry-After before the next attempt
        if self.request.retries >= self.max_retries:
            chat_delivery_fail(delivery_id=delivery_id, error=f"rate limited (Retry-After {exc.retry_after} s)")
            return "failed"
        raise self.retry(exc=exc, countdown=exc.retry_after) from exc
    except (SlackError, OSError) as exc:
        if self.request.retries >= self.max_retries:
            chat_delivery_fail(delivery_id=delivery_id, error=str(exc))
            return "failed"
        raise self.retry(exc=exc, countdown=min(600, 30 * 2**self.request.retries)) from exc
    return delivery.status if delivery else "missing"


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def slack_respond_task(self, response_url: str, payload: dict) -> None:
    """Answer a button press through its response_url (replace the message)."""
    from .client import RateLimited, SlackError, slack_respond

    try:
        slack_respond(response_url=response_url, payload=payload)
    except RateLimited as exc:
        if not self.request.is_eager and self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=exc.retry_after) from exc
    except (SlackError, OSError) as exc:
        if not self.request.is_eager and self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=30) from exc
