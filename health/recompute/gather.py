"""The accounts waiting for a refresh after a person's signal, gathered into one run.

A single-account refresh costs about as much as a refresh of several (issue 23: 40 ms for one,
the scorecards, population, signals and statements are per run, not per account). So the
accounts whose refresh a person asked for within REFRESH_DELAY_SECONDS go in ONE run: each
asks `gather(account_id)`, which appends it to a shared list and, when no run is waiting,
tells the caller to queue one; the run starts with `drain()`, which takes the whole list.

No account is lost between the two: `drain` first forgets the waiting run, then takes the
list atomically, so an account appended after the take finds no run waiting and queues the
next. With Redis (the shared cache) the list is a Redis list (one round trip to append and
claim, two to drain); with a per-process cache (LocMemCache: tests, one process without
Redis) it is a list in that cache, read and written under a lock of this process (as shared as that
cache is). Redis unreachable:
`gather` returns None and the caller queues a run of that one account."""

import threading

from django.core.cache import cache

from core.cache import CACHE_DOWN_ERRORS

__all__ = ["drain", "gather"]

PENDING_KEY = "health:refresh:pending"
WAITING_KEY = "health:refresh:waiting"
MARGIN_SECONDS = 60

_LOCK = threading.Lock()  # a per-process cache's list: read and written under it


def _redis():
    """The Redis client of the default cache, None when the cache is not Redis."""
    client = getattr(cache, "_cache", None)
    get_client = getattr(client, "get_client", None)
    return get_client(write=True) if get_client is not None else None


def gather(account_id: int, *, delay: int) -> bool | None:
    """Append `account_id` to the waiting list. True: no run was waiting, the caller queues one
    (`delay` seconds later); False: the waiting run will take it; None: the shared list is
    unreachable (the caller refreshes this account alone)."""
    redis = _redis()
    if redis is None:
        with _LOCK:
            cache.set(PENDING_KEY, [*cache.get(PENDING_KEY, []), account_id], delay + 10 * MARGIN_SECONDS)
            return cache.add(WAITING_KEY, 1, delay + MARGIN_SECONDS)
    pending, waiting = cache.make_key(PENDING_KEY), cache.make_key(WAITING_KEY)
    try:
        with redis.pipeline(transaction=False) as pipe:
            pipe.rpush(pending, account_id)
            pipe.expire(pending, delay + 10 * MARGIN_SECONDS)
            pipe.set(waiting, 1, nx=True, ex=delay + MARGIN_SECONDS)
            return bool(pipe.execute()[2])
    except CACHE_DOWN_ERRORS:
        return None


def drain() -> list[int]:
    """The run starts: forget that it waits (the next account queues the next run), then take
    every account waiting, ascending, once each."""
    redis = _redis()
    if redis is None:
        with _LOCK:
            cache.delete(WAITING_KEY)
            taken = cache.get(PENDING_KEY, [])
            cache.delete(PENDING_KEY)
        return sorted(set(taken))
    pending, waiting = cache.make_key(PENDING_KEY), cache.make_key(WAITING_KEY)
    try:
        redis.delete(waiting)
        with redis.pipeline(transaction=True) as pipe:
            pipe.lrange(pending, 0, -1)
            pipe.delete(pending)
            taken = pipe.execute()[0]
    except CACHE_DOWN_ERRORS:
        return []
    return sorted({int(a) for a in taken})
