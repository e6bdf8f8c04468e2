"""usage.sql.partitions.usage_partitions_maintain (issue 23): the nightly upkeep makes the next
months' partitions ahead and detaches months older than the retention, keeping their rows in a
table of their own; it is idempotent, and a no-op off PostgreSQL."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection

from tests.factories.accounts import AccountFactory
from tests.factories.usage import UsageEventFactory
from usage.ingest import EVENTS_TABLE
from usage.models import UsageEvent
from usage.sql import partitions
from usage.sql.partitions import usage_partitions_maintain
from usage.tasks import usage_partitions_maintain_task


def _attached() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [EVENTS_TABLE],
        )
        return {name for (name,) in cursor.fetchall()}


def _rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's")
def test_months_are_made_ahead_and_old_ones_detached_with_their_rows(monkeypatch):
    monkeypatch.setattr(partitions, "_known_partitions", set())
    account = AccountFactory()
    partitions.usage_partitions_ensure(months=[date(1990, 1, 1), date(1990, 2, 1), date(1991, 5, 1)])
    for when in (datetime(1990, 1, 15, tzinfo=UTC), datetime(1990, 2, 3, tzinfo=UTC), datetime(1991, 5, 2, tzinfo=UTC)):
        UsageEventFactory(account=account, occurred_at=when)

    done = usage_partitions_maintain(today=date(1991, 6, 20), ahead=2, keep_months=12)

    ahead = {f"{EVENTS_TABLE}_p1991{m:02d}" for m in (6, 7, 8)}
    assert ahead <= _attached()
    # Months of other tests may be older still (one database per run): ours are among the detached.
    assert {f"{EVENTS_TABLE}_p199001", f"{EVENTS_TABLE}_p199002"} <= set(done["detached"])
    assert all(name < f"{EVENTS_TABLE}_p199006" for name in done["detached"])
    assert not ({f"{EVENTS_TABLE}_p199001", f"{EVENTS_TABLE}_p199002"} & _attached())
    # The detached months keep their rows in their own tables; the kept month is still read.
    assert _rows(f"{EVENTS_TABLE}_p199001") + _rows(f"{EVENTS_TABLE}_p199002") >= 2
    assert UsageEvent.objects.filter(account=account).count() == 1
    # Again: nothing to make, nothing to detach.
    assert usage_partitions_maintain(today=date(1991, 6, 20), ahead=2, keep_months=12) == {
        "created": [],
        "detached": [],
    }
    # And an event in a month made ahead is stored in its partition.
    UsageEventFactory(account=account, occurred_at=datetime(1991, 8, 9, tzinfo=UTC))
    assert _rows(f"{EVENTS_TABLE}_p199108") == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's")
def test_keep_zero_detaches_nothing(monkeypatch):
    monkeypatch.setattr(partitions, "_known_partitions", set())
    partitions.usage_partitions_ensure(months=[date(1992, 3, 1)])
    assert usage_partitions_maintain(today=date(1992, 6, 20), ahead=0, keep_months=0)["detached"] == []
    assert f"{EVENTS_TABLE}_p199203" in _attached()


@pytest.mark.django_db
def test_the_task_runs_with_the_settings(settings):
    settings.USAGE_PARTITIONS_AHEAD, settings.USAGE_EVENTS_KEEP_MONTHS = 1, 0
    done = usage_partitions_maintain_task()
    if connection.vendor == "postgresql":
        assert set(done) == {"created", "detached"}
    else:
        assert done == {"created": [], "detached": []}
    assert "nightly-usage-partitions" in settings.CELERY_BEAT_SCHEDULE
