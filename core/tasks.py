"""Celery tasks of the ground floor: thin, ids in, the work is in core.webhooks."""

import math

from celery import shared_task
from django.utils import timezone


@shared_task(bind=True, max_retries=None, acks_late=True)
def webhook_deliver_task(self, delivery_id: int) -> None:
    """One attempt at a delivery; on failure Celery brings it back after the backoff.

    Inline (eager) Celery cannot wait, so there the delivery keeps `next_attempt_at` and the
    beat sweep `webhook_retry_due_task` (or an admin's "retry") sends it again."""
    from core.models import WebhookDelivery
    from core.webhooks import webhook_delivery_attempt

    delivery = webhook_delivery_attempt(delivery_id=delivery_id)
    if (
        delivery is None
        or delivery.status != WebhookDelivery.Status.RETRYING
        or delivery.next_attempt_at is None
        or self.request.is_eager
    ):
        return
    countdown = max(1, math.ceil((delivery.next_attempt_at - timezone.now()).total_seconds()))
    raise self.retry(countdown=countdown)


@shared_task
def webhook_retry_due_task() -> int:
    from core.webhooks import webhook_retry_due

    return len(webhook_retry_due())


@shared_task(max_retries=None, autoretry_for=())
def outbox_flush_task() -> int:
    """Publish the messages kept while the broker was down (beat, every 30 s)."""
    from core.outbox.services import outbox_flush

    return outbox_flush()
