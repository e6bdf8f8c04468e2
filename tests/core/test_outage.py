"""Redis or the database unreachable, with real clients pointed at a closed port: the cache acts
empty, limits open, a publish that fails goes to the outbox instead of failing a request that
already stored its data, an unreachable service is a 503 with Retry-After (JSON for the API),
and a task that meets a database error retries."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import override_settings

from core.cache import FailOpenRedisCache
from core.outbox.models import OutboxMessage
from core.outbox.services import outbox_flush
from csplatform.celery import app as celery_app

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused at once
DEAD_CACHES = {
    "default": {
        "BACKEND": "core.cache.FailOpenRedisCache",
        "LOCATION": DEAD_REDIS,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def test_the_cache_acts_empty_when_redis_is_unreachable():
    cache = FailOpenRedisCache(DEAD_REDIS, {"OPTIONS": {"socket_connect_timeout": 1}})
    assert cache.get("k", "miss") == "miss"
    assert cache.add("k", 1, timeout=60) is True  # a claim succeeds: a task may be queued twice
    assert cache.set("k", 1) is None
    assert cache.get_many(["a", "b"]) == {}
    with pytest.raises(ValueError):
        cache.incr("k")  # as a counter that expired: callers start again from 1


@pytest.fixture
def broker_down():
    """Celery publishing for real (not eager) to a broker that refuses connections."""
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.broker_url, celery_app._pool)
    conf.task_always_eager = False
    conf.broker_url = DEAD_REDIS
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    yield
    conf.task_always_eager, conf.broker_url, celery_app._pool = saved
    celery_app.amqp._producer_pool = None


@pytest.mark.django_db
def test_a_publish_that_fails_is_kept_in_the_outbox_then_sent(broker_down):
    from core.tasks import webhook_retry_due_task

    result = webhook_retry_due_task.apply_async(countdown=5)
    (kept,) = OutboxMessage.objects.all()
    assert kept.task == "core.tasks.webhook_retry_due_task" and kept.task_id == result.id
    assert kept.eta is not None and "OperationalError" in kept.error
    assert outbox_flush() == 0  # still down: nothing lost, nothing sent
    assert OutboxMessage.objects.count() == 1
    celery_app.conf.broker_url = "memory://"  # the broker is back
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    assert outbox_flush() == 1
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
@override_settings(CACHES=DEAD_CACHES)
def test_events_are_stored_and_acknowledged_while_redis_is_down(
    api_ingest, broker_down, django_capture_on_commit_callbacks
):
    from tests.factories import AccountFactory
    from usage.models import UsageEvent

    AccountFactory(external_id="acme")
    body = [{"account": "acme", "event": "login", "occurred_at": "2026-12-01T10:00:00Z", "message_id": "m-1"}]
    with django_capture_on_commit_callbacks(execute=True):
        response = api_ingest.post("/api/v1/events/bulk", body, format="json")
    assert response.status_code in (200, 201, 202), response.content
    assert UsageEvent.objects.count() == 1
    # the health refresh it asked for waits in the outbox instead of failing the request
    assert OutboxMessage.objects.exists(), "the post-commit work was lost"


@pytest.mark.django_db
def test_an_unreachable_database_is_a_503_with_retry_after(api_read, csm_client):
    from accounts.api import views as account_api

    with mock.patch.object(account_api.AccountViewSet, "list", side_effect=OperationalError("server closed")):
        response = api_read.get("/api/v1/accounts/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["code"] == "service_unavailable"
    with mock.patch("accounts.views.PortfolioView.get_context_data", side_effect=OperationalError("down")):
        page = csm_client.get("/accounts/")
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert b'data-error-page="503"' in page.content


@pytest.mark.django_db
def test_a_task_that_meets_a_database_error_retries_instead_of_failing():
    from celery.exceptions import Retry

    from core.tasks import webhook_retry_due_task

    assert OperationalError in webhook_retry_due_task.autoretry_for
    calls = []

    def restart_then_back(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("terminating connection due to administrator command")
        return [1, 2]

    # the run asks Celery to come back (a worker does, after the backoff) instead of failing
    with mock.patch("core.webhooks.webhook_retry_due", side_effect=restart_then_back), pytest.raises(Retry):
        webhook_retry_due_task.apply()
    with mock.patch("core.webhooks.webhook_retry_due", side_effect=restart_then_back):
        assert webhook_retry_due_task.apply().get() == 2  # the next run, the database back
    assert len(calls) == 2
    with mock.patch("core.webhooks.webhook_retry_due", side_effect=ValueError("a bug")) as bug:
        assert webhook_retry_due_task.apply(throw=False).state == "FAILURE"
    assert bug.call_count == 1  # a bug is not retried
