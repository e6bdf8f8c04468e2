"""usage.ingest.usage_partitions_ensure (PostgreSQL): month partitions made on demand, and
remembered only once they surely outlive the transaction that saw or made them."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from usage.ingest import EVENTS_TABLE, usage_partitions_ensure
from usage.sql import partitions

pytestmark = [
    pytest.mark.django_db(transaction=True),  # commits and rollbacks of the outer transaction
    pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's"),
]


@pytest.fixture(autouse=True)
def forget(monkeypatch):
    monkeypatch.setattr(partitions, "_known_partitions", set())
    monkeypatch.setattr(partitions, "_pending_partitions", set())


def _exists(month: date) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"{EVENTS_TABLE}_p{month:%Y%m}"])
        return cursor.fetchone()[0]


def _queries(month: date) -> int:
    with CaptureQueriesContext(connection) as queries:
        usage_partitions_ensure(months=[month])
    return len(queries)


def test_a_partition_that_was_there_is_remembered_even_inside_a_transaction():
    month = date(2011, 3, 1)
    usage_partitions_ensure(months=[month])  # made and committed (autocommit)
    partitions._known_partitions.clear()
    with transaction.atomic():
        assert _queries(month) == 1  # looked up once
        assert _queries(month) == 0  # then known


def test_a_partition_made_inside_a_transaction_is_remembered_only_when_it_commits():
    rolled_back, committed = date(2011, 4, 1), date(2011, 5, 1)
    with transaction.atomic():
        usage_partitions_ensure(months=[rolled_back])
        assert _queries(rolled_back) > 0  # made in this transaction: not taken as known
        transaction.set_rollback(True)
    assert not _exists(rolled_back)
    assert _queries(rolled_back) > 0 and _exists(rolled_back)  # made again
    with transaction.atomic():
        usage_partitions_ensure(months=[committed])
    assert _exists(committed)
    assert _queries(committed) == 0


def test_every_partition_keeps_message_keys_unique():
    """A month made on demand gets its unique index on message keys like the ones the migration
    indexed (the DEFAULT partition too); a repeated key is refused by the database itself."""
    from django.db import IntegrityError

    from tests.factories import AccountFactory
    from usage.models import UsageEvent

    month = date(2011, 6, 1)
    usage_partitions_ensure(months=[month])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s AND NOT EXISTS ("
            " SELECT 1 FROM pg_index x JOIN pg_class n ON n.oid = x.indexrelid"
            " WHERE x.indrelid = c.oid AND x.indisunique AND n.relname = c.relname || '_message_key')",
            [EVENTS_TABLE],
        )
        assert cursor.fetchall() == []
    account = AccountFactory()
    at = datetime(2011, 6, 2, tzinfo=UTC)
    UsageEvent.objects.create(account=account, event="e", occurred_at=at, message_key=42)
    with pytest.raises(IntegrityError), transaction.atomic():
        UsageEvent.objects.create(account=account, event="e", occurred_at=at, message_key=42)
    UsageEvent.objects.create(account=account, event="e", occurred_at=at)  # no key: any number
    UsageEvent.objects.create(account=account, event="e", occurred_at=at)
    assert UsageEvent.objects.count() == 3
