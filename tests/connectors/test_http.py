"""The connectors' retry policy: a 429's Retry-After is waited, otherwise exponential backoff
with jitter, and the tries are bounded."""

import pytest

from connectors.http import Retryable, backoff_call
from connectors.registry import RateLimited

from .helpers import run_sync, seed

pytestmark = pytest.mark.django_db


def test_retry_after_is_honoured(hubspot, hubspot_connection, monkeypatch):
    import urllib3.util.retry as retry_module

    waits = []
    monkeypatch.setattr(retry_module.time, "sleep", lambda seconds: waits.append(seconds))
    seed(hubspot, companies=1)
    hubspot.retry_after = "7"
    hubspot.rate_limited = 2
    run = run_sync(hubspot_connection)
    assert run.status == "succeeded"
    assert waits[:2] == [7, 7]


def test_without_retry_after_the_waits_grow_and_stop(settings, hubspot, hubspot_connection, monkeypatch):
    import urllib3.util.retry as retry_module

    settings.CONNECTOR_BACKOFF = 1
    settings.CONNECTOR_BACKOFF_MAX = 60
    waits = []
    monkeypatch.setattr(retry_module.time, "sleep", lambda seconds: waits.append(seconds))
    hubspot.retry_after = None
    hubspot.rate_limited = 100
    run = run_sync(hubspot_connection)
    assert run.status == "failed" and "429" in run.reason
    assert 100 - hubspot.rate_limited == settings.CONNECTOR_RETRIES + 1  # bounded: the first try and 4 more
    assert len(waits) == settings.CONNECTOR_RETRIES - 1  # urllib3 retries the first at once
    assert all(b > a for a, b in zip(waits, waits[1:], strict=False))  # exponential (jitter < the step)


def test_backoff_call_waits_as_told_then_gives_up(settings):
    settings.CONNECTOR_RETRIES = 3
    settings.CONNECTOR_BACKOFF = 0.5
    settings.CONNECTOR_BACKOFF_MAX = 60
    waits, calls = [], []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise Retryable("busy", retry_after=2 if len(calls) == 1 else None)
        return "done"

    assert backoff_call(flaky, sleep=waits.append) == "done"
    assert waits[0] == 2 and 1.0 <= waits[1] <= 1.5
    with pytest.raises(Retryable):
        backoff_call(lambda: (_ for _ in ()).throw(Retryable("never")), sleep=waits.append)
    assert issubclass(RateLimited, Exception)
