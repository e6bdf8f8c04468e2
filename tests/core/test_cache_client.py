"""core.cache keeps one redis.Redis per connection pool instead of building one per cache call
(issue 23: ~0.25 ms CPU each, several times a request)."""

from core.cache import FailOpenRedisCache


def test_one_redis_client_per_pool_is_reused():
    cache = FailOpenRedisCache("redis://127.0.0.1:6379/15", {"OPTIONS": {"socket_connect_timeout": 1}})
    writer = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is writer
    assert cache._cache.get_client("some-key") is writer  # one server: reads use the same pool
    other = FailOpenRedisCache("redis://127.0.0.1:6379/14", {})
    assert other._cache.get_client(write=True) is not writer
