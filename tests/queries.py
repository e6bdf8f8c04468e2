"""Query counts that depend on the run mode."""

from django.conf import settings


def session_queries() -> int:
    """The queries a signed-in request spends reading its session: none when sessions are read from
    Redis (`core.sessions`, with REDIS_URL), one from the database otherwise."""
    return 0 if settings.SESSION_ENGINE == "core.sessions" else 1
