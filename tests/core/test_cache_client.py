"""The Redis cache keeps one `redis.Redis` per connection pool (core.cache._ReusedClient) instead
of building one per call, and still reads and writes the server (issue 23's page floor)."""

import os

import pytest

from core.cache import FailOpenRedisCache

REDIS_URL = os.environ.get("REDIS_URL", "")


def test_one_client_serves_every_call_and_fails_open_still():
    # given a cache on a Redis that refuses connections
    cache = FailOpenRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 1}})
    # when two reads and a write ask for their client
    first = cache._cache.get_client("a")
    again = cache._cache.get_client("b", write=True)
    # then the client is the same object, and the cache still acts empty
    assert first is again
    assert cache.get("k", "miss") == "miss"


@pytest.mark.skipif(not REDIS_URL, reason="needs a Redis (REDIS_URL)")
def test_the_kept_client_reads_what_was_written():
    cache = FailOpenRedisCache(REDIS_URL, {"KEY_PREFIX": "test-cache-client"})
    cache.set("k", {"v": 1}, 30)
    assert cache.get("k") == {"v": 1}
    cache.delete("k")
    assert cache.get("k", "gone") == "gone"
