"""Limits on the two doors an attacker knocks on without an account.

Login: django-axes (settings `AXES_*`, `LOGIN_FAILURE_LIMIT`, `LOGIN_LOCKOUT_MINUTES`) counts
failed logins per username and per client address in the database and answers a locked-out
attempt with `registration/locked_out.html` (429) before any password is checked.

Password reset: `password_reset_allowed` caps the mails one address receives and the requests one
client makes in an hour (settings `PASSWORD_RESET_MAILS_PER_HOUR`,
`PASSWORD_RESET_REQUESTS_PER_HOUR_PER_CLIENT`), counted in Django's cache. When the cache is
unreachable the check lets the request through (a cache outage must not lock people out); the
reset link itself stays single-use and short-lived as Django makes it.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache

__all__ = ["password_reset_allowed"]

logger = logging.getLogger(__name__)

HOUR = 3600


def _count(key: str) -> int:
    """Add one to an hour-long counter and return it (first call: 1)."""
    if cache.add(key, 1, timeout=HOUR):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=HOUR)
        return 1


def password_reset_allowed(*, email: str, client: str, now: float | None = None) -> bool:
    """True when a reset mail may go to `email` for a request from `client`; counts the request."""
    hour = int((time.time() if now is None else now) // HOUR)
    address = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    try:
        requests = _count(f"auth:reset:client:{client}:{hour}")
        if requests > settings.PASSWORD_RESET_REQUESTS_PER_HOUR_PER_CLIENT:
            logger.warning("password reset refused: %s requests from %s this hour", requests, client)
            return False
        mails = _count(f"auth:reset:email:{address}:{hour}")
    except Exception:  # noqa: BLE001  a cache outage fails open, loudly
        logger.exception("password reset throttle: cache unreachable, request let through")
        return True
    if mails > settings.PASSWORD_RESET_MAILS_PER_HOUR:
        logger.warning("password reset refused: mail %s this hour to one address", mails)
        return False
    return True
