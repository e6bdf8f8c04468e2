"""Celery tasks: thin, ids in, call a service, safe to run twice."""

from celery import shared_task


@shared_task(acks_late=True)
def renewals_sweep_task() -> dict:
    """Nightly: the whole book's sweep, then the forecast's band rates and track record (the
    rates first feed the next night's P(renew); the order within one night does not matter)."""
    from .services import forecast_track_record_refresh, renewals_sweep

    forecast_track_record_refresh()
    return renewals_sweep().as_dict()


@shared_task(acks_late=True)
def renewals_account_sweep_task(account_id: int) -> dict:
    """One account's subscriptions changed: open, close or reopen its renewals now."""
    from core.deferral import release

    from .services import renewals_sweep

    release(f"renewals:sweep:{account_id}")
    return renewals_sweep(account_ids=[account_id]).as_dict()


@shared_task
def reason_prompt_open_task(subscription_id: int, change: str, previous: dict | None = None) -> int | None:
    """Ask the owner for a cancellation's or a downgrade's reason (deduped per change)."""
    from .services import reason_prompt_open

    prompt = reason_prompt_open(subscription_id=subscription_id, change=change, previous=previous)
    return prompt.pk if prompt else None
