"""The on-demand refresh of one account, at two cadences (docs/decisions.md "Two refresh cadences"):

- a signal a person made (a ticket, a survey answer, an override, a payment...): queued once within
  REFRESH_DELAY_SECONDS (a few seconds) however many such signals arrive, on the `health` queue
  that a worker of its own takes (core.deferral, settings.CELERY_TASK_ROUTES);
- usage events: queued once within EVENTS_REFRESH_DELAY_SECONDS (under a minute) however many
  events arrive, many accounts a task, on `health_events` (health.tasks.accounts_health_refresh_soon_task).

Each cadence has its own deferral key, so an event refresh already waiting out its window never
holds back the refresh an answer asks for."""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from core.deferral import MARGIN_SECONDS, release, release_many

from . import gather
from .inputs import today
from .run import RecomputeResult, health_recompute

__all__ = [
    "EVENTS_REFRESH_DELAY_SECONDS",
    "REFRESH_DELAY_SECONDS",
    "account_health_refresh",
    "account_health_refresh_soon",
    "accounts_health_refresh_gathered",
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
    """Recompute this account within seconds, once however many signals arrive meanwhile (its
    deferral key, released when the run starts). After the commit it joins the accounts
    gathered for the next run (health.recompute.gather): every account asked within
    REFRESH_DELAY_SECONDS is refreshed in ONE run (health.tasks.accounts_health_refresh_gathered_task),
    not one run each. Returns True if queued."""
    if not cache.add(refresh_key(account_id), 1, timeout=REFRESH_DELAY_SECONDS + MARGIN_SECONDS):
        return False
    transaction.on_commit(lambda: _gather(account_id))
    return True


def _gather(account_id: int) -> None:
    from ..tasks import account_health_refresh_task, accounts_health_refresh_gathered_task

    first = gather.gather(account_id, delay=REFRESH_DELAY_SECONDS)
    if first is None:  # the shared list is unreachable: this account alone
        account_health_refresh_task.apply_async(args=[account_id], countdown=REFRESH_DELAY_SECONDS)
    elif first:
        accounts_health_refresh_gathered_task.apply_async(countdown=REFRESH_DELAY_SECONDS)


def account_health_refresh(*, account_id: int) -> RecomputeResult:
    release(refresh_key(account_id))
    return health_recompute(as_of=today(), account_ids=[account_id])


def accounts_health_refresh_gathered() -> RecomputeResult | None:
    """The run of the accounts gathered since the last one: their keys released (a signal from
    now queues the next run), then one recompute of those that still exist. None: none left."""
    from accounts.models import Account

    ids = gather.drain()
    release_many(refresh_key(a) for a in ids)
    ids = list(Account.objects.filter(id__in=ids).order_by("id").values_list("id", flat=True)) if ids else []
    if not ids:
        return None
    return health_recompute(as_of=today(), account_ids=ids)
