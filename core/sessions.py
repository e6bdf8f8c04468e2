"""Sessions read from the cache (Redis), written to the database and the cache: Django's
`cached_db` engine, with each cache entry kept at most `SESSION_CACHE_SECONDS` (300).

Every signed-in request read its session row from PostgreSQL; with this engine it reads Redis
and falls back to the row (which stays the record). Nothing stale is served in the ordinary
course: a logout, a login (a new key) and a password change delete or rewrite both copies, and
the user, with `is_active` and the password hash the session is checked against, is still read
from the database on every request. The cap bounds the one case that could serve a removed
session: a logout while Redis was unreachable (`core.cache` fails open, so the delete of the
cached copy is dropped) and Redis back with its old data; that copy lives at most the cap.

Used only with a shared cache (settings: REDIS_URL); a per-process cache would keep a session
another process logged out."""

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

__all__ = ["SessionStore"]


class _CappedCache:
    """The session cache, every entry's timeout at most `cap` seconds."""

    def __init__(self, cache, cap: int) -> None:
        self._inner, self._cap = cache, cap

    def set(self, key, value, timeout):
        return self._inner.set(key, value, self._cap if timeout is None else min(timeout, self._cap))

    def __getattr__(self, name):  # get, delete, __contains__'s has_key...
        return getattr(self._inner, name)

    def __contains__(self, key) -> bool:
        return key in self._inner


class SessionStore(CachedDBStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _CappedCache(self._cache, getattr(settings, "SESSION_CACHE_SECONDS", 300))
