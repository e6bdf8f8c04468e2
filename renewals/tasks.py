"""Celery tasks of renewals: thin, ids in, the work in a service, safe to run twice."""

from celery import shared_task


@shared_task
def reason_prompt_open_task(subscription_id: int, change: str, previous: dict | None = None) -> int | None:
    """Ask the owner for a cancellation's or a downgrade's reason (deduped per change)."""
    from .services import reason_prompt_open

    prompt = reason_prompt_open(subscription_id=subscription_id, change=change, previous=previous)
    return prompt.pk if prompt else None
