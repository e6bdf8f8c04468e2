"""Django's Redis cache, failing open: when Redis cannot be reached, the cache behaves as an
empty one instead of raising (a read misses, a write is dropped, `add` says it stored, `incr`
finds nothing).

Everything the product keeps in the cache can be recomputed or is a brake: rate limits
(they let the request through), "refresh soon" claims (a task may be queued twice; tasks are
idempotent), pre-aggregate versions and page caches (recomputed). A Redis outage therefore
slows the product down and loosens its limits, but answers no request with an error.
One warning is logged per 30 s of outage, not one per call.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

__all__ = ["CACHE_DOWN_ERRORS", "FailOpenRedisCache"]

logger = logging.getLogger(__name__)

CACHE_DOWN_ERRORS = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)
WARN_EVERY_SECONDS = 30


class _OneClientPerPool(RedisCacheClient):
    """Django's client made a new redis.Redis (with its table of ~200 response callbacks) for
    every cache call: ~0.25 ms CPU, several times a request (bench/ingest_cpu.py). A redis.Redis is
    thread-safe and takes a connection from its pool per command, so one per pool is kept."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class FailOpenRedisCache(RedisCache):
    _last_warning = 0.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _OneClientPerPool

    def _down(self, operation: str, exc: Exception) -> None:
        now = time.monotonic()
        if now - FailOpenRedisCache._last_warning > WARN_EVERY_SECONDS:
            FailOpenRedisCache._last_warning = now
            logger.warning("cache unreachable (%s on %s): serving as an empty cache", type(exc).__name__, operation)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except CACHE_DOWN_ERRORS as exc:
            self._down("add", exc)
            return True

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except CACHE_DOWN_ERRORS as exc:
            self._down("get", exc)
            return default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set(key, value, timeout, version)
        except CACHE_DOWN_ERRORS as exc:
            self._down("set", exc)
            return None

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except CACHE_DOWN_ERRORS as exc:
            self._down("touch", exc)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except CACHE_DOWN_ERRORS as exc:
            self._down("delete", exc)
            return False

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except CACHE_DOWN_ERRORS as exc:
            self._down("get_many", exc)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except CACHE_DOWN_ERRORS as exc:
            self._down("has_key", exc)
            return False

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except CACHE_DOWN_ERRORS as exc:
            self._down("incr", exc)
            raise ValueError(f"Key '{key}' not found (cache unreachable)") from exc

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except CACHE_DOWN_ERRORS as exc:
            self._down("set_many", exc)
            return list(data)

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except CACHE_DOWN_ERRORS as exc:
            self._down("delete_many", exc)
            return None

    def clear(self):
        try:
            return super().clear()
        except CACHE_DOWN_ERRORS as exc:
            self._down("clear", exc)
            return False
