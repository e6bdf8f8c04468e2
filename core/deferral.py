"""Do this soon, once: one deferral helper for every "refresh within a minute" (STYLE.md §9,
NetBox's `enqueue_once`).

    queue_once(f"health:refresh:{account_id}", account_health_refresh_task, args=[account_id],
               countdown=60)

queues the task after the current transaction commits, unless the same key is already queued;
the task calls `release(key)` when it starts, so signals arriving while it runs queue the next
run. The key lives in the shared cache (Redis in production), so every web process and worker
agrees; it expires on its own (`countdown` + a margin) if a worker dies before releasing it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.cache import cache
from django.db import transaction

__all__ = ["claim_many", "queue_once", "release", "release_many"]

MARGIN_SECONDS = 60


def queue_once(
    key: str,
    task: Any,
    *,
    args: Sequence[Any] = (),
    kwargs: dict | None = None,
    countdown: int = 0,
    timeout: int | None = None,
) -> bool:
    """Queue `task` (after commit, `countdown` seconds later) unless `key` is already queued.
    Returns True if this call queued it. `timeout` defaults to `countdown` + a minute."""
    if not cache.add(key, 1, timeout=timeout if timeout is not None else countdown + MARGIN_SECONDS):
        return False
    transaction.on_commit(lambda: task.apply_async(args=list(args), kwargs=kwargs or {}, countdown=countdown))
    return True


def claim_many(keys: Iterable[str], *, timeout: int) -> list[str]:
    """The keys among these that were not already queued, now marked queued: two cache round
    trips for a whole batch. A batch racing this one may claim some of the same keys, which
    costs one extra idempotent run, never a lost one."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return []
    taken = cache.get_many(keys)
    free = [k for k in keys if k not in taken]
    if free:
        cache.set_many(dict.fromkeys(free, 1), timeout)
    return free


def release(key: str) -> None:
    """The queued run has started: the next signal queues another."""
    cache.delete(key)


def release_many(keys: Iterable[str]) -> None:
    cache.delete_many(list(keys))
