"""With a broker, each batch writes its rollup deltas in its own transaction and one task adds
the deltas of many batches (usage.ingest.notify): one run for many batches, nothing lost, a
busy or failed run leaves them for its retry; pairs an older release gathered in Redis are
still recomputed."""

from datetime import UTC, date, datetime

import pytest

from tests.factories.accounts import AccountFactory, ContactFactory
from tests.factories.usage import UsageEventFactory
from usage import tasks
from usage.ingest import events_store, notify
from usage.models import AccountDailyUsage, RollupDelta

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 31)


@pytest.fixture
def broker(monkeypatch):
    """A real Redis (REDIS_URL) and a worker's view: tasks are queued, not run inline."""
    client = notify._redis()
    if client is None:
        pytest.skip("needs REDIS_URL: the embedded mode refreshes inline")
    client.delete(notify.PENDING_KEY, "usage:rollups:taking:t1")
    from core.deferral import release

    release(notify.QUEUED_KEY)
    monkeypatch.setattr(notify, "_eager", lambda: False)
    queued = []
    monkeypatch.setattr(tasks.usage_rollups_pending_task, "apply_async", lambda *a, **kw: queued.append(kw))
    yield client, queued
    client.delete(notify.PENDING_KEY, "usage:rollups:taking:t1")
    release(notify.QUEUED_KEY)


def _row(account, contact=None, event="login", hour=12):
    row = {"account": account.external_id, "event": event, "occurred_at": f"2026-03-31T{hour:02d}:00:00Z"}
    if contact is not None:
        row["contact"] = contact.external_id
    return row


def test_many_batches_one_run_and_every_event_counted_once(broker, django_capture_on_commit_callbacks):
    client, queued = broker
    a, b = AccountFactory(), AccountFactory()
    ca = ContactFactory(account=a)
    with django_capture_on_commit_callbacks(execute=True):
        events_store([_row(a, ca), _row(a, ca, event="export")])
    with django_capture_on_commit_callbacks(execute=True):
        events_store([_row(b), _row(b), _row(b, event="export"), _row(a, ca)])
    assert len(queued) == 1 and queued[0]["countdown"] == notify.ROLLUP_DELAY_SECONDS
    assert RollupDelta.objects.exists() and not AccountDailyUsage.objects.exists()  # nothing until the run
    assert notify.usage_rollups_pending_refresh(task_id="t1") == 2
    rows = {r.account_id: r for r in AccountDailyUsage.objects.filter(day=DAY)}
    assert (rows[a.id].events, rows[a.id].features, rows[a.id].active_contacts) == (3, {"login": 2, "export": 1}, 1)
    assert rows[a.id].contact_ids == [ca.id]
    assert (rows[b.id].events, rows[b.id].features, rows[b.id].active_contacts) == (3, {"login": 2, "export": 1}, 0)
    assert not RollupDelta.objects.exists()
    # A second run (a redelivery, a retry) finds nothing left to add.
    assert notify.usage_rollups_pending_refresh(task_id="t1") == 0
    assert AccountDailyUsage.objects.get(account=a, day=DAY).events == 3
    with django_capture_on_commit_callbacks(execute=True):
        events_store([_row(b)])  # the run released its claim: the next batch queues the next run
    assert len(queued) == 2


def test_a_refused_batch_leaves_no_delta(broker, django_capture_on_commit_callbacks):
    from usage.ingest import IngestError

    _client, queued = broker
    account = AccountFactory()
    with pytest.raises(IngestError), django_capture_on_commit_callbacks(execute=True):
        events_store([_row(account), {"account": "nope", "event": "x", "occurred_at": "2026-03-31T00:00:00Z"}])
    assert not RollupDelta.objects.exists() and queued == []


def test_pairs_an_older_release_left_in_redis_are_recomputed(broker):
    client, _queued = broker
    account, other = AccountFactory(), AccountFactory()
    UsageEventFactory(account=account, event="login", occurred_at=datetime(2026, 3, 31, 9, tzinfo=UTC))
    UsageEventFactory(account=other, event="login", occurred_at=datetime(2026, 3, 31, 9, tzinfo=UTC))
    client.sadd("usage:rollups:taking:t1", f"{DAY}:{account.id}")  # taken by a worker that died
    client.sadd(notify.PENDING_KEY, f"{DAY}:{other.id}")
    assert notify.usage_rollups_pending_refresh(task_id="t1") == 2
    assert AccountDailyUsage.objects.get(account=account, day=DAY).events == 1
    assert AccountDailyUsage.objects.get(account=other, day=DAY).events == 1
    assert not client.exists(notify.PENDING_KEY, "usage:rollups:taking:t1")


def test_without_the_cache_each_batch_queues_its_own_run(broker, monkeypatch, django_capture_on_commit_callbacks):
    import core.deferral

    _client, queued = broker

    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(core.deferral, "queue_once", down)
    account = AccountFactory()
    with django_capture_on_commit_callbacks(execute=True):
        events_store([_row(account)])
    with django_capture_on_commit_callbacks(execute=True):
        events_store([_row(account, hour=13)])
    assert [q["countdown"] for q in queued] == [notify.ROLLUP_DELAY_SECONDS] * 2


@pytest.mark.django_db(transaction=True)
def test_a_run_that_finds_the_lock_taken_keeps_the_deltas_for_its_retry(broker):
    """A second run does not hold its worker waiting for the lock: it raises RollupsBusy with
    the deltas left in place, and its retry adds them, once."""
    import threading

    from django.db import connections, transaction

    from core.db import is_postgresql
    from usage.rollups import REFRESH_LOCK

    if not is_postgresql():
        pytest.skip("PostgreSQL only")
    account = AccountFactory()
    events_store([_row(account), _row(account, hour=14)])
    outcome = {}

    def other_worker():
        try:
            outcome["n"] = notify.usage_rollups_pending_refresh(task_id="t1")
        except notify.RollupsBusy:
            outcome["busy"] = True
        finally:
            connections["default"].close()

    with transaction.atomic(), connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])
        thread = threading.Thread(target=other_worker)
        thread.start()
        thread.join()
    assert outcome == {"busy": True}
    assert RollupDelta.objects.filter(account=account).count() == 1
    assert notify.usage_rollups_pending_refresh(task_id="t1") == 1
    assert AccountDailyUsage.objects.get(account=account, day=DAY).events == 2
    assert notify.usage_rollups_pending_refresh(task_id="t1") == 0
    assert AccountDailyUsage.objects.get(account=account, day=DAY).events == 2
