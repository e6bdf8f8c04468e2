"""Celery tasks: thin, ids in, idempotent (completing an already completed item is a no-op)."""

from datetime import date

from celery import shared_task


@shared_task(ignore_result=True)
def onboarding_events_apply_task(account_ids: list[int]) -> dict[str, int]:
    from core.deferral import release_many

    from .receivers import events_key
    from .services import onboarding_events_apply

    release_many(events_key(a) for a in account_ids)  # events from now on queue the next run

    return onboarding_events_apply(account_ids=account_ids)


@shared_task
def onboarding_sweep_task(as_of: str | None = None) -> dict[str, int]:
    from .services import onboarding_sweep

    return onboarding_sweep(as_of=date.fromisoformat(as_of) if as_of else None)
