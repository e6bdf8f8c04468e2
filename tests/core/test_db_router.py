"""core.replica and core.db_router without a real replica: which alias each read and write
gets (tests/multihost/test_read_replica.py runs them against real streaming replication)."""

import math

import pytest
from django.db import OperationalError
from django.test import override_settings

from core import replica
from core.db_router import ReplicaRouter
from reports.models import RefreshLog

router = ReplicaRouter()


@pytest.fixture
def configured(monkeypatch):
    """A replica alias as far as core.replica can tell, with a lag the test sets."""
    lag = {"seconds": 0.0, "asked": 0}

    def lag_seconds():
        lag["asked"] += 1
        return lag["seconds"]

    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    monkeypatch.setattr(replica, "replica_lag_seconds", lag_seconds)
    replica.replica_forget()
    yield lag
    replica.replica_forget()


def test_without_a_replica_everything_is_the_primary():
    assert not replica.replica_configured()
    with replica.request_scope(), replica.read_replica():
        assert router.db_for_read(RefreshLog) == "default"
    assert router.db_for_read(RefreshLog) == "default"
    assert router.db_for_write(RefreshLog) == "default"
    assert router.allow_migrate("default", "reports") and not router.allow_migrate("replica", "reports")


def test_only_reads_that_ask_go_to_the_replica(configured):
    with replica.request_scope():
        assert router.db_for_read(RefreshLog) == "default"
        with replica.read_replica():
            assert router.db_for_read(RefreshLog) == "replica"
            assert router.db_for_write(RefreshLog) == "default"
        assert router.db_for_read(RefreshLog) == "default"


def test_a_request_that_wrote_reads_from_the_primary_and_the_next_does_not(configured):
    with replica.request_scope():
        router.db_for_write(RefreshLog)
        with replica.read_replica():
            assert router.db_for_read(RefreshLog) == "default"
    with replica.request_scope(), replica.read_replica():
        assert router.db_for_read(RefreshLog) == "replica"


@override_settings(PULSE_REPLICA_MAX_LAG=5, PULSE_REPLICA_CHECK_SECONDS=60)
def test_lag_past_the_limit_falls_back_and_the_check_is_cached(configured):
    configured["seconds"] = 6.0
    with replica.request_scope(), replica.read_replica():
        assert router.db_for_read(RefreshLog) == "default"
        configured["seconds"] = 0.0
        assert router.db_for_read(RefreshLog) == "default"  # cached for PULSE_REPLICA_CHECK_SECONDS
        assert configured["asked"] == 1
        replica.replica_forget()
        assert router.db_for_read(RefreshLog) == "replica"
        configured["seconds"] = math.inf  # down
        replica.replica_forget()
        assert router.db_for_read(RefreshLog) == "default"


@override_settings(PULSE_REPLICA_CHECK_SECONDS=60)
def test_a_replica_that_fails_mid_read_is_marked_down_and_the_read_runs_on_the_primary(configured):
    calls = []

    @replica.read_replica
    def selector():
        alias = router.db_for_read(RefreshLog)
        calls.append(alias)
        if alias == "replica":
            raise OperationalError("server closed the connection unexpectedly")
        return alias

    with replica.request_scope():
        assert selector() == "default"
        assert calls == ["replica", "default"]
        with replica.read_replica():
            assert router.db_for_read(RefreshLog) == "default"  # down until the next check


def test_an_error_on_the_primary_is_not_retried(configured):
    @replica.read_replica()
    def selector():
        with replica.read_replica():  # nested: still one scope
            pass
        raise OperationalError("primary down")

    configured["seconds"] = math.inf
    with pytest.raises(OperationalError):
        selector()


def test_inside_a_transaction_reads_stay_on_the_primary(configured, monkeypatch):
    from django.db import connections

    with replica.request_scope(), replica.read_replica():
        assert router.db_for_read(RefreshLog) == "replica"
        monkeypatch.setattr(connections["default"], "in_atomic_block", True)  # inside transaction.atomic()
        assert router.db_for_read(RefreshLog) == "default"


def test_the_middleware_scopes_the_write_mark_to_one_request(configured):
    from django.http import HttpResponse
    from django.test import RequestFactory

    from core.middleware import ReplicaRequestMiddleware

    seen = []

    def writes_then_reads(request):
        router.db_for_write(RefreshLog)
        with replica.read_replica():
            seen.append(router.db_for_read(RefreshLog))
        return HttpResponse()

    def reads(request):
        with replica.read_replica():
            seen.append(router.db_for_read(RefreshLog))
        return HttpResponse()

    ReplicaRequestMiddleware(writes_then_reads)(RequestFactory().post("/"))
    ReplicaRequestMiddleware(reads)(RequestFactory().get("/"))
    assert seen == ["default", "replica"]
