"""With a broker, the rollup refreshes of many batches are gathered in one Redis set and done
by one task (usage.ingest.notify): one run for many batches, nothing lost, a redelivered task
redoes what it took."""

from datetime import UTC, date, datetime

import pytest

from tests.factories.accounts import AccountFactory
from tests.factories.usage import UsageEventFactory
from usage import tasks
from usage.ingest import notify
from usage.models import AccountDailyUsage

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
    queued, single = [], []
    monkeypatch.setattr(tasks.usage_rollups_pending_task, "apply_async", lambda *a, **kw: queued.append(kw))
    monkeypatch.setattr(tasks.usage_rollup_refresh_task, "delay", lambda payload: single.append(payload))
    yield client, queued, single
    client.delete(notify.PENDING_KEY, "usage:rollups:taking:t1")
    release(notify.QUEUED_KEY)


def test_many_batches_one_run_and_every_pair_refreshed(broker, django_capture_on_commit_callbacks):
    client, queued, single = broker
    a, b = AccountFactory(), AccountFactory()
    for account, n in ((a, 2), (b, 3)):
        for _ in range(n):
            UsageEventFactory(account=account, event="login", occurred_at=datetime(2026, 3, 31, 12, tzinfo=UTC))
    with django_capture_on_commit_callbacks(execute=True):
        notify._pend({str(DAY): [a.id]})
        notify._pend({str(DAY): [a.id, b.id]})
    assert len(queued) == 1 and queued[0]["countdown"] == notify.ROLLUP_DELAY_SECONDS
    assert single == []
    assert notify.usage_rollups_pending_refresh(task_id="t1") == 2
    assert dict(AccountDailyUsage.objects.filter(day=DAY).values_list("account_id", "events")) == {a.id: 2, b.id: 3}
    assert not client.exists(notify.PENDING_KEY, "usage:rollups:taking:t1")
    with django_capture_on_commit_callbacks(execute=True):
        notify._pend({str(DAY): [b.id]})  # the run released its claim: the next batch queues the next run
    assert len(queued) == 2


def test_a_redelivered_run_redoes_what_it_had_taken(broker):
    client, _queued, _single = broker
    account = AccountFactory()
    UsageEventFactory(account=account, event="login", occurred_at=datetime(2026, 3, 31, 9, tzinfo=UTC))
    client.sadd("usage:rollups:taking:t1", f"{DAY}:{account.id}")  # taken by a worker that died
    notify._pend({str(DAY): [AccountFactory().id]})
    assert notify.usage_rollups_pending_refresh(task_id="t1") == 2
    assert AccountDailyUsage.objects.get(account=account, day=DAY).events == 1


def test_without_redis_each_batch_queues_its_own_refresh(broker, monkeypatch):
    _client, queued, single = broker
    monkeypatch.setattr(notify, "_redis", lambda: None)
    notify._pend({str(DAY): [1, 2]})
    assert single == [{str(DAY): [1, 2]}] and queued == []


@pytest.mark.django_db(transaction=True)
def test_a_run_that_finds_the_lock_taken_keeps_its_pairs_for_its_retry(broker):
    """A second run does not hold its worker waiting for the lock: it raises RollupsBusy with its
    pairs kept under its own id, and its retry (same id) refreshes them."""
    import threading

    from django.db import connections, transaction

    from core.db import is_postgresql
    from usage.rollups import REFRESH_LOCK

    if not is_postgresql():
        pytest.skip("PostgreSQL only")
    client, _queued, _single = broker
    account = AccountFactory()
    UsageEventFactory(account=account, event="login", occurred_at=datetime(2026, 3, 31, 9, tzinfo=UTC))
    notify._pend({str(DAY): [account.id]})
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
    assert client.sismember("usage:rollups:taking:t1", f"{DAY}:{account.id}")
    assert notify.usage_rollups_pending_refresh(task_id="t1") == 1
    assert AccountDailyUsage.objects.get(account=account, day=DAY).events == 1
