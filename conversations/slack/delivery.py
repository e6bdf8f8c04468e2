"""Sending to Slack and Teams from the outbox (`ChatDelivery` rows written in the caller's
transaction, sent by `chat_delivery_send_task` after commit through core.background: a worker,
or in the embedded mode a thread, never the request that made the news). A 429 waits Slack's Retry-After
(Celery countdown); other failures retry with backoff, then the row is marked failed with
Slack's error. Sending a row already sent does nothing, so a task delivered twice posts once."""

from __future__ import annotations

import logging

from django.utils import timezone

from ..models import ChatDelivery

__all__ = ["chat_deliveries_queue", "chat_delivery_send"]

logger = logging.getLogger(__name__)


def chat_deliveries_queue(*, rows: list[dict]) -> list[int]:
    """Insert the deliveries not made yet (by key) and queue each after commit. `rows`:
    {"service", "target", "key", "payload"}. Returns the ids made now."""
    if not rows:
        return []
    keys = [r["key"] for r in rows]
    ChatDelivery.objects.bulk_create([ChatDelivery(**r) for r in rows], ignore_conflicts=True)
    made = list(
        ChatDelivery.objects.filter(key__in=keys, status=ChatDelivery.Status.PENDING, attempts=0).values_list(
            "pk", flat=True
        )
    )
    from core.background import run_in_background

    from .tasks import chat_delivery_send_task

    for pk in made:  # after commit, off the request in every mode (a thread in the embedded one)
        run_in_background(chat_delivery_send_task, args=[pk])
    return made


def chat_delivery_send(*, delivery_id: int) -> ChatDelivery | None:
    """Send one delivery (raises RateLimited / SlackError / TeamsError for the task to retry)."""
    from .client import slack_post_message, slack_workspace

    delivery = ChatDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None or delivery.status == ChatDelivery.Status.SENT:
        return delivery
    ChatDelivery.objects.filter(pk=delivery.pk).update(attempts=delivery.attempts + 1)
    if delivery.service == "slack":
        workspace = slack_workspace()
        if workspace is None or not workspace.bot_token:
            return chat_delivery_fail(delivery_id=delivery.pk, error="Slack is not set up")
        payload = delivery.payload
        slack_post_message(
            workspace=workspace, channel=delivery.target, text=payload.get("text", ""), blocks=payload.get("blocks")
        )
    else:
        from ..teams import teams_post

        teams_post(webhook_id=int(delivery.target), payload=delivery.payload)
    ChatDelivery.objects.filter(pk=delivery.pk).update(
        status=ChatDelivery.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    delivery.refresh_from_db()
    return delivery


def chat_delivery_fail(*, delivery_id: int, error: str) -> ChatDelivery | None:
    ChatDelivery.objects.filter(pk=delivery_id).exclude(status=ChatDelivery.Status.SENT).update(
        status=ChatDelivery.Status.FAILED, last_error=error[:300]
    )
    logger.warning("chat delivery %s failed: %s", delivery_id, error)
    return ChatDelivery.objects.filter(pk=delivery_id).first()
