"""The Redis cache makes its redis.Redis client once per pool, not once per call (core.cache)."""

import os

import pytest

from core.cache import FailOpenRedisCache


def test_one_client_per_pool_is_reused():
    cache = FailOpenRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 1}})
    first = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=False) is first  # one server: reads and writes share it
    assert cache._cache.get_client("k", write=True) is first
    assert first.connection_pool is cache._cache._get_connection_pool(True)
    assert cache.get("k", "miss") == "miss"  # still failing open


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis")
def test_the_reused_client_reads_what_it_wrote():
    cache = FailOpenRedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "test-cache-client"})
    cache.set("k", {"a": 1}, 30)
    assert cache.get("k") == {"a": 1}
    assert cache.add("k", 2, 30) is False
    cache.delete("k")
    assert cache.get("k") is None
