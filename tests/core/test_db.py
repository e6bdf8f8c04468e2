"""`core.db`: the vendor check, the chunked external-id lookup and the background pipeline the
apps' `sql` seams build on."""

import threading
import time
from unittest import mock

import pytest
from django.db import connection, connections

from core import db
from core.db import IN_CHUNK, Pipeline, chunked, is_postgresql, lookup_by
from core.models import User

# Section: is_postgresql


def test_is_postgresql_names_the_backend_in_use():
    assert is_postgresql() is (connection.vendor == "postgresql")


# Section: chunked


@pytest.mark.parametrize(
    "values, size, expected",
    [
        ([], 3, []),
        ([1, 2], 3, [[1, 2]]),
        ([1, 2, 3], 3, [[1, 2, 3]]),
        ([1, 2, 3, 4, 5, 6, 7], 3, [[1, 2, 3], [4, 5, 6], [7]]),
    ],
)
def test_chunked_slices_in_order(values, size, expected):
    assert [list(part) for part in chunked(values, size)] == expected


def test_chunked_defaults_below_sqlites_parameter_limit():
    parts = list(chunked(list(range(2000))))
    assert [len(p) for p in parts] == [IN_CHUNK, IN_CHUNK, 2000 - 2 * IN_CHUNK]
    assert IN_CHUNK < 999


# Section: lookup_by


def _users(n: int) -> None:
    User.objects.bulk_create([User(username=f"lookup-{i:05}") for i in range(n)])


@pytest.mark.django_db
def test_lookup_by_maps_each_found_value_to_its_object():
    # given
    _users(3)
    # when
    found = lookup_by(User.objects.all(), "username", ["lookup-00002", "lookup-00000", "nobody", "lookup-00002"])
    # then
    assert sorted(found) == ["lookup-00000", "lookup-00002"]
    assert found["lookup-00002"].username == "lookup-00002"


@pytest.mark.django_db
def test_lookup_by_nothing_runs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert lookup_by(User.objects.all(), "username", []) == {}


@pytest.mark.django_db
def test_lookup_by_more_than_a_chunk(django_assert_num_queries):
    """Over 900 values: one array parameter on PostgreSQL, slices of 900 on SQLite (whose
    statements take at most 999 parameters), with the same answer."""
    # given
    _users(IN_CHUNK + 101)
    wanted = [f"lookup-{i:05}" for i in range(IN_CHUNK + 101)] + ["nobody"]
    # when
    with django_assert_num_queries(1 if is_postgresql() else 2):
        found = lookup_by(User.objects.all(), "username", wanted)
    # then
    assert len(found) == IN_CHUNK + 101
    assert "nobody" not in found


@pytest.mark.django_db
def test_lookup_by_respects_the_querysets_filter():
    # given
    _users(2)
    User.objects.filter(username="lookup-00001").update(is_active=False)
    # when
    found = lookup_by(User.objects.filter(is_active=True), "username", ["lookup-00000", "lookup-00001"])
    # then
    assert list(found) == ["lookup-00000"]


@pytest.mark.django_db
def test_lookup_by_slices_on_sqlite(monkeypatch):
    # given: SQLite's path, whatever the database
    monkeypatch.setattr(db, "is_postgresql", lambda using="default": False)
    seen: list[int] = []
    real_filter = User.objects.all().__class__.filter

    def spy(self, *args, **kwargs):
        if "username__in" in kwargs:
            seen.append(len(kwargs["username__in"]))
        return real_filter(self, *args, **kwargs)

    monkeypatch.setattr(User.objects.all().__class__, "filter", spy)
    _users(1)
    # when
    lookup_by(User.objects.all(), "username", [f"v{i}" for i in range(2 * IN_CHUNK + 5)])
    # then
    assert seen == [IN_CHUNK, IN_CHUNK, 5]


# Section: Pipeline


def test_pipeline_runs_calls_in_the_order_given():
    # given
    done: list[int] = []
    # when
    with Pipeline("order") as pipeline:
        futures = [pipeline.submit(lambda i=i: done.append(i) or i * i) for i in range(20)]
    # then
    assert done == list(range(20))
    assert [f.result() for f in futures] == [i * i for i in range(20)]


def test_pipeline_passes_arguments():
    with Pipeline("args") as pipeline:
        future = pipeline.submit(lambda a, b=0: a + b, 2, b=3)
    assert future.result() == 5


def test_pipeline_blocks_a_producer_that_runs_ahead_by_more_than_its_depth():
    """With depth 1, one call runs and one waits: the third submit blocks until the worker
    takes the second, and the time blocked is added to `waited`."""
    # given
    gate = threading.Event()
    pipeline = Pipeline("depth", depth=1)
    pipeline.submit(gate.wait)  # the worker is busy with this one
    while pipeline._queue.qsize():  # ...once it has taken it off the queue
        time.sleep(0.001)
    pipeline.submit(lambda: None)  # fills the queue
    assert pipeline.waited < 0.05
    # when
    threading.Timer(0.2, gate.set).start()
    pipeline.submit(lambda: None)  # blocks until the gate opens
    pipeline.close()
    # then
    assert pipeline.waited >= 0.15


def test_pipeline_unbounded_never_blocks():
    gate = threading.Event()
    pipeline = Pipeline("unbounded")
    pipeline.submit(gate.wait)
    for _ in range(100):
        pipeline.submit(lambda: None)
    gate.set()
    pipeline.close()
    assert pipeline.waited < 0.5


def test_pipeline_error_is_raised_by_close_and_the_rest_is_skipped():
    # given
    gate = threading.Event()
    ran: list[str] = []

    def fail():
        raise ValueError("chunk 2 failed")

    pipeline = Pipeline("error")
    first = pipeline.submit(lambda: gate.wait() and ran.append("first"))
    second = pipeline.submit(fail)
    third = pipeline.submit(lambda: ran.append("third"))
    # when
    gate.set()
    with pytest.raises(ValueError, match="chunk 2 failed"):
        pipeline.close()
    # then
    assert ran == ["first"]
    assert first.done() and first.exception() is None
    assert isinstance(second.exception(), ValueError)
    assert third.cancelled()
    assert isinstance(pipeline.error, ValueError)


def test_pipeline_refuses_new_work_after_an_error():
    # given
    pipeline = Pipeline("error-then-submit")
    failed = pipeline.submit(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        failed.result(timeout=5)
    # when / then
    with pytest.raises(ZeroDivisionError):
        pipeline.submit(lambda: None)
    with pytest.raises(ZeroDivisionError):
        pipeline.close()


def test_pipeline_refuses_work_once_closed():
    pipeline = Pipeline("closed")
    pipeline.close()
    pipeline.close()  # twice is harmless
    with pytest.raises(RuntimeError, match="closed"):
        pipeline.submit(lambda: None)


def test_pipeline_context_keeps_the_callers_exception():
    """A caller already failing gets its own exception back, not the pipeline's."""
    with pytest.raises(KeyError), Pipeline("both") as pipeline:
        pipeline.submit(lambda: 1 / 0).exception(timeout=5)
        raise KeyError("caller")


@pytest.mark.parametrize("own_connection, closes", [(True, 1), (False, 0)])
def test_pipeline_closes_its_threads_connection_only_when_it_owns_it(own_connection, closes):
    # given
    fake = mock.Mock()
    with mock.patch.object(db, "connection", fake):
        # when
        with Pipeline("conn", own_connection=own_connection) as pipeline:
            pipeline.submit(lambda: None)
    # then
    assert fake.close.call_count == closes


@pytest.mark.django_db(transaction=True)
def test_pipeline_own_connection_is_closed_after_real_queries():
    """The worker's Django connection is its thread's own: it is closed when the pipeline
    closes, so no connection is left open per pipeline run (on PostgreSQL a server process)."""
    # given
    seen = {}

    def query():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            seen["result"] = cursor.fetchone()[0]
        seen["wrapper"] = connections["default"]  # this thread's own wrapper
        seen["open"] = seen["wrapper"].connection is not None

    # when
    with Pipeline("real", own_connection=True) as pipeline:
        pipeline.submit(query)
    # then
    assert seen["result"] == 1 and seen["open"]
    assert seen["wrapper"] is not connections["default"]
    if connection.vendor == "sqlite" and seen["wrapper"].is_in_memory_db():
        return  # Django keeps an in-memory test database open (closing it would drop it)
    assert seen["wrapper"].connection is None
