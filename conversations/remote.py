"""Calls to Gmail, Google Calendar and Microsoft Graph on a user's behalf: the bearer token
(refreshed before it expires, and once more on a 401), 429 / 503 with `Retry-After` waited out
when the wait is short and handed to the caller (a Celery retry) when it is long, and 410 Gone
(an expired sync token / delta link) as its own exception so the sync starts over in full.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from .models import ConnectedAccount
from .oauth import HTTP_TIMEOUT, access_token_fresh

__all__ = ["RateLimited", "RemoteError", "SyncTokenExpired", "api_get", "retry_after_seconds"]

MAX_ATTEMPTS = 4
WAIT_INLINE_MAX = 10.0  # seconds; a longer Retry-After goes back to the task queue
_sleep = time.sleep  # tests replace it


class RemoteError(Exception):
    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


class SyncTokenExpired(RemoteError):
    """410 Gone: the stored sync token / history id / delta link is too old; sync in full."""


class RateLimited(RemoteError):
    def __init__(self, message: str, *, retry_after: float):
        super().__init__(message, status=429)
        self.retry_after = retry_after


def retry_after_seconds(value: str | None, *, default: float = 1.0) -> float:
    """`Retry-After` as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return default
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def api_get(
    connection: ConnectedAccount, url: str, *, params: dict | None = None, headers: dict | None = None
) -> httpx.Response:
    """GET `url` as the connection's user; returns the 2xx response or raises."""
    token = access_token_fresh(connection)
    refreshed = False
    for attempt in range(MAX_ATTEMPTS):
        try:
            response = httpx.get(
                url,
                params=params,
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json", **(headers or {})},
                timeout=HTTP_TIMEOUT,
            )
        except httpx.HTTPError as exc:
            raise RemoteError(f"{url}: {exc}") from exc
        status = response.status_code
        if status == 401 and not refreshed:
            token, refreshed = access_token_fresh(connection, force=True), True
            continue
        if status in (429, 503):
            wait = retry_after_seconds(response.headers.get("Retry-After"), default=2.0**attempt)
            if wait > WAIT_INLINE_MAX or attempt == MAX_ATTEMPTS - 1:
                raise RateLimited(f"{url}: HTTP {status}, retry after {wait:.0f}s", retry_after=wait)
            _sleep(wait)
            continue
        if status == 410:
            raise SyncTokenExpired(f"{url}: HTTP 410 Gone", status=410)
        if status >= 400:
            raise RemoteError(f"{url}: HTTP {status} {response.text[:200]}", status=status)
        return response
    raise RemoteError(f"{url}: no answer after {MAX_ATTEMPTS} attempts")
