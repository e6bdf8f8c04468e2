"""After a batch commits: the daily rollups of the touched (account, day) pairs are refreshed
by a Celery task (inline in the embedded mode).

With a broker, the pairs of every batch are gathered in one Redis set and one task refreshes
them all ROLLUP_DELAY_SECONDS later, however many batches arrive meanwhile
(`usage_rollups_pending_refresh`): at 500 events/s in batches of 250, one refresh a batch cost
the workers more than a second of work per second and deadlocked two of them on overlapping
pairs (make soak, docs/perf/soak.md); gathered, an account touched by ten batches is rolled up
once. The set lives in the broker's Redis, so it is as durable as the messages it replaces; a
refresh popped by a worker that dies is redone by the task's redelivery (acks late: the popped
pairs stay under the task's own key until it finishes). When Redis cannot take the pairs, the
batch queues its own refresh as before (through the outbox if the broker is down too)."""

from collections.abc import Iterable, Mapping
from datetime import date

from django.db import transaction

__all__ = ["PENDING_KEY", "ROLLUP_DELAY_SECONDS", "RollupsBusy", "usage_rollups_pending_refresh"]

PENDING_KEY = "usage:rollups:pending"
QUEUED_KEY = "usage:rollups:queued"
ROLLUP_DELAY_SECONDS = 2
DRAIN_CHUNK = 5000  # pairs per refresh statement


def _refresh_rollups_soon(pairs: set[tuple[int, date]]) -> None:
    """Queue the daily-rollup refresh of these (account id, UTC day) pairs for after commit."""
    by_day: dict[date, list[int]] = {}
    for account_id, day in pairs:
        by_day.setdefault(day, []).append(account_id)
    _refresh_rollups_by_day(by_day)


def _refresh_rollups_by_day(by_day: Mapping[date, Iterable[int]] | Mapping[str, Iterable[int]]) -> None:
    """Queue the daily-rollup refresh of these accounts on these UTC days (dates or ISO days)
    for after commit (inline in the embedded mode, a worker in production): the batch is
    answered once its events are durable, and the derived rollups follow within seconds
    (docs/decisions.md "Usage events table")."""
    if not by_day:
        return
    payload = {str(day): sorted(ids) for day, ids in sorted(by_day.items())}
    transaction.on_commit(lambda: _pend(payload))


def _redis():
    """The shared cache's Redis client, or None (the embedded mode's local-memory cache)."""
    from django.core.cache import cache

    backend = getattr(cache, "_cache", None)
    return backend.get_client(write=True) if hasattr(backend, "get_client") else None


def _eager() -> bool:
    from celery import current_app

    return bool(current_app.conf.task_always_eager)


def _pend(payload: dict[str, list[int]]) -> None:
    from core.cache import CACHE_DOWN_ERRORS
    from core.deferral import queue_once

    from ..tasks import usage_rollup_refresh_task, usage_rollups_pending_task

    client = None if _eager() else _redis()
    if client is not None:
        try:
            client.sadd(PENDING_KEY, *[f"{day}:{a}" for day, ids in payload.items() for a in ids])
        except CACHE_DOWN_ERRORS:
            client = None
    if client is None:
        usage_rollup_refresh_task.delay(payload)
        return
    queue_once(QUEUED_KEY, usage_rollups_pending_task, countdown=ROLLUP_DELAY_SECONDS, timeout=60)


class RollupsBusy(Exception):
    """Another rollup refresh holds the lock: the task retries later, same id, same pairs."""


def usage_rollups_pending_refresh(*, task_id: str) -> int:
    """Refresh every pair gathered so far (the task's body). The pairs move atomically to this
    task's own key first, so batches arriving meanwhile gather for the next run and a
    redelivered or retried task (same id) finds what it had taken. Raises RollupsBusy, keeping
    its pairs, when another refresh is running (a worker is not held waiting for the lock).
    Returns the number of pairs."""
    from core.deferral import release

    from ..rollups import usage_rollup_refresh_if_free

    client = _redis()
    if client is None:
        return 0
    release(QUEUED_KEY)  # a batch from now on queues the next run
    taken = f"usage:rollups:taking:{task_id}"
    with client.pipeline(transaction=True) as pipe:
        pipe.sunionstore(taken, [taken, PENDING_KEY])
        pipe.delete(PENDING_KEY)
        pipe.execute()
    members = sorted(m.decode() if isinstance(m, bytes) else m for m in client.smembers(taken))
    pairs = [(int(m.partition(":")[2]), date.fromisoformat(m.partition(":")[0])) for m in members]
    for start in range(0, len(pairs), DRAIN_CHUNK):
        if usage_rollup_refresh_if_free(pairs=pairs[start : start + DRAIN_CHUNK]) is None:
            raise RollupsBusy  # the chunks done so far are redone: idempotent
    client.delete(taken)
    return len(pairs)
