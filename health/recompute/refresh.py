"""The on-demand refresh of one account, at two cadences (docs/decisions.md "Two refresh cadences"):

- a signal a person made (a ticket, a survey answer, an override, a payment...): queued once within
  REFRESH_DELAY_SECONDS (a few seconds) however many such signals arrive, on the `health` queue
  that a worker of its own takes (core.deferral, settings.CELERY_TASK_ROUTES);
- usage events: queued once within EVENTS_REFRESH_DELAY_SECONDS (under a minute) however many
  events arrive, many accounts a task, on `health_events` (health.tasks.accounts_health_refresh_soon_task).

Each cadence has its own deferral key, so an event refresh already waiting out its window never
holds back the refresh an answer asks for."""

from django.conf import settings

from core.deferral import queue_once, release

from .inputs import today
from .run import RecomputeResult, health_recompute

__all__ = [
    "EVENTS_REFRESH_DELAY_SECONDS",
    "REFRESH_DELAY_SECONDS",
    "account_health_refresh",
    "account_health_refresh_soon",
    "events_refresh_key",
    "refresh_key",
]

REFRESH_DELAY_SECONDS = getattr(settings, "HEALTH_REFRESH_DELAY_SECONDS", 2)
EVENTS_REFRESH_DELAY_SECONDS = getattr(settings, "HEALTH_EVENTS_REFRESH_DELAY_SECONDS", 45)


def refresh_key(account_id: int) -> str:
    """The deferral key of an account's refresh after a signal a person made."""
    return f"health:refresh:{account_id}"


def events_refresh_key(account_id: int) -> str:
    """The deferral key of an account's refresh after usage events (the many-accounts refresh)."""
    return f"health:refresh:events:{account_id}"


def account_health_refresh_soon(*, account_id: int) -> bool:
    """Recompute this account within seconds, once however many signals arrive meanwhile
    (the task releases the key when it starts). Returns True if queued."""
    from ..tasks import account_health_refresh_task

    return queue_once(
        refresh_key(account_id), account_health_refresh_task, args=[account_id], countdown=REFRESH_DELAY_SECONDS
    )


def account_health_refresh(*, account_id: int) -> RecomputeResult:
    release(refresh_key(account_id))
    return health_recompute(as_of=today(), account_ids=[account_id])
