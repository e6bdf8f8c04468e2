"""Daily usage rollups: refresh from raw events, idempotency, rebuild, and the 30-day window reader."""

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.factories.accounts import AccountFactory, ContactFactory
from tests.factories.usage import UsageEventFactory
from usage.models import AccountDailyContact, AccountDailyUsage
from usage.rollups import usage_rollup_rebuild, usage_rollup_refresh, usage_window_stats

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 3, 31)


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def usage():
    account = AccountFactory()
    other = AccountFactory()
    alice, bob = ContactFactory(account=account), ContactFactory(account=account)
    d1, d2 = AS_OF, AS_OF - timedelta(days=3)
    UsageEventFactory(account=account, contact=alice, event="report_viewed", occurred_at=at(d1, 0))
    UsageEventFactory(account=account, contact=alice, event="report_viewed", occurred_at=at(d1, 23))
    UsageEventFactory(account=account, contact=bob, event="export", occurred_at=at(d1))
    UsageEventFactory(account=account, contact=None, event="api_call", occurred_at=at(d2))
    # 40 days back: only in the "30 days before" window.
    UsageEventFactory(account=account, contact=bob, event="export", occurred_at=at(AS_OF - timedelta(days=40)))
    # Just after the as-of day: never counted.
    UsageEventFactory(account=account, contact=bob, event="export", occurred_at=at(AS_OF + timedelta(days=1), 0))
    UsageEventFactory(account=other, event="login", occurred_at=at(d1))
    return account, other, alice, bob


def _rows(account):
    return {r.day: r for r in AccountDailyUsage.objects.filter(account=account)}


def test_refresh_builds_rows_and_is_idempotent(usage):
    account, other, alice, bob = usage
    pairs = [(account.id, AS_OF), (account.id, AS_OF - timedelta(days=3)), (account.id, AS_OF - timedelta(days=9))]
    assert usage_rollup_refresh(pairs=pairs + pairs) == 3
    rows = _rows(account)
    assert set(rows) == {AS_OF, AS_OF - timedelta(days=3)}  # a day without events has no row
    today = rows[AS_OF]
    assert today.events == 3
    assert today.active_contacts == 2
    assert sorted(today.contact_ids) == sorted([alice.id, bob.id])
    assert today.features == {"report_viewed": 2, "export": 1}
    assert rows[AS_OF - timedelta(days=3)].contact_ids == []
    before = [(r.day, r.events, r.features) for r in AccountDailyUsage.objects.order_by("day")]
    usage_rollup_refresh(pairs=pairs)
    assert [(r.day, r.events, r.features) for r in AccountDailyUsage.objects.order_by("day")] == before
    assert not AccountDailyUsage.objects.filter(account=other).exists()  # not asked for


def test_refresh_removes_row_when_events_are_gone(usage):
    account, *_ = usage
    usage_rollup_refresh(pairs=[(account.id, AS_OF - timedelta(days=3))])
    assert AccountDailyUsage.objects.filter(account=account).count() == 1
    account_events = account.id
    from usage.models import UsageEvent

    UsageEvent.objects.filter(account_id=account_events, occurred_at__date=AS_OF - timedelta(days=3)).delete()
    usage_rollup_refresh(pairs=[(account.id, AS_OF - timedelta(days=3))])
    assert not AccountDailyUsage.objects.filter(account=account).exists()


def test_rebuild_matches_refresh_and_respects_range(usage):
    account, other, *_ = usage
    usage_rollup_rebuild()
    all_rows = {
        (r.account_id, r.day): (r.events, r.active_contacts, r.features) for r in AccountDailyUsage.objects.all()
    }
    assert len(all_rows) == 5
    AccountDailyUsage.objects.all().delete()
    usage_rollup_refresh(pairs=list(all_rows))
    again = {(r.account_id, r.day): (r.events, r.active_contacts, r.features) for r in AccountDailyUsage.objects.all()}
    assert again == all_rows
    AccountDailyUsage.objects.all().delete()
    usage_rollup_rebuild(start=AS_OF - timedelta(days=5), end=AS_OF)
    assert {r.day for r in AccountDailyUsage.objects.all()} == {AS_OF, AS_OF - timedelta(days=3)}


def test_window_stats(usage):
    account, other, alice, bob = usage
    usage_rollup_rebuild()
    stats = usage_window_stats(as_of=AS_OF, key_features=["export", "api_call", "never_used", "export"])
    mine = stats[account.id]
    assert mine.active_days == 2
    assert mine.events == 4
    assert mine.events_prev == 1
    assert mine.active_contacts == 2
    assert mine.key_features_used == 2
    assert stats[other.id].events == 1 and stats[other.id].key_features_used == 0
    only = usage_window_stats(as_of=AS_OF, account_ids=[other.id])
    assert set(only) == {other.id}
    assert usage_window_stats(as_of=AS_OF, account_ids=[]) == {}
    # 31 days later the recent events moved into the "30 days before" window.
    later = usage_window_stats(as_of=AS_OF + timedelta(days=30))[account.id]
    assert later.events == 1 and later.events_prev == 4 and later.active_days == 1


def _contact_rows():
    return set(AccountDailyContact.objects.values_list("account_id", "day", "contact_id"))


def _from_json():
    return {(r.account_id, r.day, c) for r in AccountDailyUsage.objects.all() for c in r.contact_ids}


def test_contact_rows_follow_contact_ids_through_refresh_and_rebuild(usage):
    """The (account, day, contact) rows the breadth reader counts are exactly the rollups'
    contact_ids, after a refresh, a refresh of a day whose events went, and rebuilds."""
    from usage.models import UsageEvent

    account, other, alice, bob = usage
    pairs = [(account.id, AS_OF), (account.id, AS_OF - timedelta(days=3)), (other.id, AS_OF)]
    usage_rollup_refresh(pairs=pairs)
    assert _contact_rows() == _from_json() == {(account.id, AS_OF, alice.id), (account.id, AS_OF, bob.id)}
    UsageEvent.objects.filter(account_id=account.id, contact_id=bob.id, occurred_at__date=AS_OF).delete()
    usage_rollup_refresh(pairs=pairs)
    assert _contact_rows() == _from_json() == {(account.id, AS_OF, alice.id)}
    usage_rollup_rebuild()
    assert _contact_rows() == _from_json()
    assert (account.id, AS_OF - timedelta(days=40), bob.id) in _contact_rows()
    usage_rollup_rebuild(start=AS_OF - timedelta(days=5), end=AS_OF)
    assert _contact_rows() == _from_json()
    assert len(_contact_rows()) == 3  # also the day after AS_OF (bob), kept by the range rebuild


@pytest.mark.django_db(transaction=True)
def test_refresh_holds_one_lock_so_two_workers_never_deadlock(usage):
    """Two workers refreshing overlapping pairs deadlocked under make soak: a refresh holds a
    PostgreSQL advisory lock for its transaction, so a second one waits instead."""
    import threading

    from django.db import connection, connections, transaction

    from core.db import is_postgresql
    from usage.rollups import REFRESH_LOCK

    if not is_postgresql():
        pytest.skip("PostgreSQL only: SQLite has one writer anyway")
    account = usage[0]
    seen = {}

    def other_worker():
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [REFRESH_LOCK])
                seen["free"] = cursor.fetchone()[0]
        finally:
            connections["default"].close()

    with transaction.atomic():
        usage_rollup_refresh(pairs=[(account.id, AS_OF)])
        thread = threading.Thread(target=other_worker)
        thread.start()
        thread.join()
        assert connection.in_atomic_block
    assert seen == {"free": False}
    other_worker()  # released with the transaction
    assert seen == {"free": True}
