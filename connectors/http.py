"""HTTP to vendors: one retry policy for every client. 429 and 5xx answers are retried a
bounded number of times; a `Retry-After` header is honoured (seconds or an HTTP date), else
exponential backoff with jitter (urllib3's `Retry`, which both `hubspot-api-client` and
`requests` sessions take). Settings: CONNECTOR_RETRIES (6), CONNECTOR_BACKOFF (0.5 s, doubled
each try), CONNECTOR_BACKOFF_MAX (60 s); tests turn the waits down.

`backoff_call(fn)` does the same for a client that raises instead of retrying itself."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

__all__ = ["RETRY_STATUSES", "Retryable", "backoff_call", "http_session", "retry_policy"]

RETRY_STATUSES = (429, 500, 502, 503, 504)


def _setting(name: str, default):
    return getattr(settings, name, default)


def retry_policy() -> Retry:
    return Retry(
        total=_setting("CONNECTOR_RETRIES", 6),
        connect=3,
        read=2,
        status=_setting("CONNECTOR_RETRIES", 6),
        status_forcelist=RETRY_STATUSES,
        allowed_methods=None,  # POST search / batch reads are safe to repeat too
        respect_retry_after_header=True,
        backoff_factor=_setting("CONNECTOR_BACKOFF", 0.5),
        backoff_max=_setting("CONNECTOR_BACKOFF_MAX", 60),
        backoff_jitter=_setting("CONNECTOR_BACKOFF", 0.5),
        raise_on_status=False,  # the last answer comes back; the client reads its error body
    )


def http_session(*, timeout: float = 30) -> requests.Session:
    """A requests session with the retry policy mounted (for simple-salesforce, httpx-less vendors)."""
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry_policy(), pool_maxsize=4)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.request = _with_defaults(session, session.request, timeout)  # type: ignore[method-assign]
    ca_file = _setting("CONNECTOR_CA_BUNDLE", None)  # a private CA (a proxy, the tests' local vendors)
    if ca_file:
        session.verify = ca_file
    return session


def _with_defaults(session, request, timeout):
    def call(method, url, **kwargs):
        kwargs.setdefault("timeout", timeout)
        # explicit, so REQUESTS_CA_BUNDLE in the environment does not override the session's choice
        kwargs.setdefault("verify", session.verify)
        return request(method, url, **kwargs)

    return call


class Retryable(Exception):
    """Raised by a call that may be retried; `retry_after` in seconds when the vendor said."""

    def __init__(self, message: str = "", retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


def backoff_call[T](fn: Callable[[], T], *, sleep=time.sleep) -> T:
    """Call `fn` until it stops raising Retryable, at most CONNECTOR_RETRIES more times."""
    retries = _setting("CONNECTOR_RETRIES", 6)
    base = _setting("CONNECTOR_BACKOFF", 0.5)
    cap = _setting("CONNECTOR_BACKOFF_MAX", 60)
    for attempt in range(retries + 1):
        try:
            return fn()
        except Retryable as exc:
            if attempt == retries:
                raise
            wait = exc.retry_after if exc.retry_after is not None else base * 2**attempt + random.uniform(0, base)
            sleep(min(cap, max(0.0, wait)))
    raise AssertionError("unreachable")
