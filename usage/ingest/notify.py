"""A batch's daily rollups: its events' deltas ({(account, UTC day, event, contact): events})
are written in the batch's own transaction (usage.models.RollupDelta), and after it commits one
task adds every pending delta to the rollups ROLLUP_DELAY_SECONDS later, however many batches
arrive meanwhile (`usage_rollups_pending_refresh`; inline in the embedded mode).

A delta exists exactly when its events do (same transaction), and the run that adds deltas
deletes them in its own transaction, so no batch is counted twice or lost, whatever fails or is
retried; the cost of a run grows with the events stored since the last one, not with the day's
events (recomputing each touched day from the raw events took 32-50 s per run late in the soak:
docs/perf/soak.md). The run is queued once for many batches (core.deferral.queue_once); if
Redis cannot take the key, the batch queues a run of its own.

Before the deltas, batches gathered their (account, day) pairs in a Redis set for a recompute:
pairs a web process of the previous release left there are still recomputed by the same task."""

from collections import Counter
from collections.abc import Iterable
from datetime import date

from django.db import transaction

__all__ = ["PENDING_KEY", "ROLLUP_DELAY_SECONDS", "RollupsBusy", "usage_rollups_pending_refresh"]

PENDING_KEY = "usage:rollups:pending"
QUEUED_KEY = "usage:rollups:queued"
ROLLUP_DELAY_SECONDS = 2
DRAIN_CHUNK = 5000  # pairs per refresh statement


def _rollups_add(keys: Iterable[tuple]) -> None:
    """In the batch's transaction: write the rollup deltas of its stored events, one
    (account id, UTC day, event, contact id or None) per event (ids and days as values or
    text), and queue the run that adds them for after commit."""
    from ..sql.deltas import deltas_insert

    if deltas_insert(Counter(keys)):
        transaction.on_commit(_apply_soon)


def _redis():
    """The shared cache's Redis client, or None (the embedded mode's local-memory cache)."""
    from django.core.cache import cache

    backend = getattr(cache, "_cache", None)
    return backend.get_client(write=True) if hasattr(backend, "get_client") else None


def _eager() -> bool:
    from celery import current_app

    return bool(current_app.conf.task_always_eager)


def _apply_soon() -> None:
    from core.cache import CACHE_DOWN_ERRORS
    from core.deferral import queue_once

    from ..rollups import usage_rollup_apply_deltas
    from ..tasks import usage_rollups_pending_task

    if _eager():
        usage_rollup_apply_deltas(wait=True)
        return
    try:
        queue_once(QUEUED_KEY, usage_rollups_pending_task, countdown=ROLLUP_DELAY_SECONDS, timeout=60)
    except CACHE_DOWN_ERRORS:
        usage_rollups_pending_task.apply_async(countdown=ROLLUP_DELAY_SECONDS)


class RollupsBusy(Exception):
    """Another rollup refresh holds the lock: the task retries later, same id, same pairs."""


def usage_rollups_pending_refresh(*, task_id: str) -> int:
    """The task's body: add every pending delta to the rollups (usage_rollup_apply_deltas),
    then recompute the pairs an older release gathered in Redis, if any (they move atomically
    to this task's own key first, so a redelivered or retried task, same id, finds what it had
    taken). Raises RollupsBusy, nothing lost, when another rollup writer is running (a worker
    is not held waiting for the lock). Returns the number of (account, day) rows touched."""
    from core.deferral import release

    from ..rollups import usage_rollup_apply_deltas, usage_rollup_refresh_if_free

    release(QUEUED_KEY)  # a batch from now on queues the next run
    touched = usage_rollup_apply_deltas()
    if touched is None:
        raise RollupsBusy
    client = _redis()
    if client is None:
        return touched
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
    return touched + len(pairs)
