"""The on-demand refresh of one account (a ticket, a survey answer, an override...):
queued once within REFRESH_DELAY_SECONDS however many signals arrive (core.deferral)."""

from django.conf import settings

from core.deferral import queue_once, release

from .inputs import today
from .run import RecomputeResult, health_recompute

__all__ = ["REFRESH_DELAY_SECONDS", "account_health_refresh", "account_health_refresh_soon", "refresh_key"]

REFRESH_DELAY_SECONDS = getattr(settings, "HEALTH_REFRESH_DELAY_SECONDS", 30)


def refresh_key(account_id: int) -> str:
    """The deferral key of an account's refresh (shared with the many-accounts refresh)."""
    return f"health:refresh:{account_id}"


def account_health_refresh_soon(*, account_id: int) -> bool:
    """Recompute this account within a minute, once however many signals arrive meanwhile
    (the task releases the key when it starts). Returns True if queued."""
    from ..tasks import account_health_refresh_task

    return queue_once(
        refresh_key(account_id), account_health_refresh_task, args=[account_id], countdown=REFRESH_DELAY_SECONDS
    )


def account_health_refresh(*, account_id: int) -> RecomputeResult:
    release(refresh_key(account_id))
    return health_recompute(as_of=today(), account_ids=[account_id])
