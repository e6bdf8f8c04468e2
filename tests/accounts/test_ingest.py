"""events_store: the one write path for usage events."""

from datetime import UTC, date, datetime

import pytest

from accounts.ingest import IngestError, events_store, message_key
from accounts.models import AccountDailyUsage, UsageEvent, UsageEventKey
from accounts.signals import events_ingested
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def _row(account, **extra):
    return {
        "account": account.external_id,
        "event": "report_viewed",
        "occurred_at": "2026-03-04T10:00:00Z",
        "properties": {"report": "mrr"},
        **extra,
    }


def test_stores_rows_with_historical_time_and_refreshes_rollups(django_capture_on_commit_callbacks):
    # given
    account = AccountFactory()
    contact = ContactFactory(account=account)
    received = []
    events_ingested.connect(lambda sender, account_ids, **kw: received.append(account_ids), weak=False)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        result = events_store(
            [
                _row(account, contact=contact.external_id, message_id="m1"),
                _row(account, message_id="m2", occurred_at="2026-03-04T23:59:59+00:00"),
                _row(account, occurred_at="2026-03-05T00:30:00"),  # no offset: UTC; no message id
            ]
        )
    # then
    assert result.as_dict() == {"received": 3, "stored": 3, "duplicates": 0}
    first = UsageEvent.objects.get(message_id="m1")
    assert first.occurred_at == datetime(2026, 3, 4, 10, tzinfo=UTC)
    assert first.contact == contact and first.properties == {"report": "mrr"}
    days = dict(AccountDailyUsage.objects.filter(account=account).values_list("day", "events"))
    assert days == {date(2026, 3, 4): 2, date(2026, 3, 5): 1}
    assert received[-1] == [account.pk]


def test_repeated_message_ids_are_stored_once_within_and_across_batches():
    account = AccountFactory()
    first = events_store([_row(account, message_id="a"), _row(account, message_id="a"), _row(account, message_id="b")])
    second = events_store([_row(account, message_id="b"), _row(account, message_id="c")])
    assert (first.stored, first.duplicates) == (2, 1)
    assert (second.stored, second.duplicates) == (1, 1)
    assert sorted(UsageEvent.objects.values_list("message_id", flat=True)) == ["a", "b", "c"]
    assert UsageEventKey.objects.filter(key=message_key("a")).exists()


def test_bad_batch_is_refused_whole_with_each_row_and_reason():
    account = AccountFactory()
    rows = [
        _row(account, message_id="ok"),
        _row(account, occurred_at="yesterday"),
        {"account": "nope", "event": "x", "occurred_at": "2026-01-01T00:00:00Z"},
        _row(account, properties=[1, 2]),
        "not an object",
        _row(account, contact="ghost"),
        {"account": account.external_id, "occurred_at": "2026-01-01T00:00:00Z"},
    ]
    with pytest.raises(IngestError) as info:
        events_store(rows)
    found = {(e["row"], e["field"]) for e in info.value.errors}
    assert found == {(2, "occurred_at"), (3, "account"), (4, "properties"), (5, None), (6, "contact"), (7, "event")}
    assert "unknown account 'nope'" in [e["reason"] for e in info.value.errors if e["row"] == 3][0]
    assert not UsageEvent.objects.exists()
    assert not UsageEventKey.objects.exists()


def test_future_timestamp_is_refused():
    account = AccountFactory()
    with pytest.raises(IngestError) as info:
        events_store([_row(account, occurred_at="2999-01-01T00:00:00Z")])
    assert info.value.errors[0]["reason"] == "is more than a day in the future"


def test_internal_callers_may_pass_ids():
    account = AccountFactory()
    contact = ContactFactory(account=account)
    result = events_store(
        [{"account_id": account.pk, "contact_id": contact.pk, "event": "login", "occurred_at": datetime.now(UTC)}]
    )
    assert result.stored == 1
    assert UsageEvent.objects.get().contact_id == contact.pk


def test_nul_characters_are_refused_not_a_database_error():
    account = AccountFactory()
    with pytest.raises(IngestError) as info:
        events_store([_row(account, message_id="a\x00b"), {**_row(account), "account": "x\x00"}])
    assert {e["field"] for e in info.value.errors} == {"message_id", "account"}


def test_keys_of_copied_events_can_be_backfilled():
    """The demo seed COPYs events without keys; after a backfill their ids count as seen."""
    from accounts.ingest import usage_event_keys_backfill
    from tests.factories import UsageEventFactory

    account = AccountFactory()
    UsageEventFactory(account=account, message_id="seeded-1")
    assert usage_event_keys_backfill() == 1
    assert UsageEventKey.objects.filter(key=message_key("seeded-1")).exists()
    result = events_store([_row(account, message_id="seeded-1")])
    assert (result.stored, result.duplicates) == (0, 1)


def test_backfilled_message_ids_and_in_batch_repeats_are_stored_once():
    account = AccountFactory()
    UsageEvent.objects.create(
        account=account, event="seeded", occurred_at=datetime(2026, 3, 1, tzinfo=UTC), message_id="seed-1"
    )
    from accounts.ingest import usage_event_keys_backfill

    assert usage_event_keys_backfill() == 1
    result = events_store(
        [_row(account, message_id="seed-1"), _row(account, message_id="new-1"), _row(account, message_id="new-1")]
    )
    assert (result.stored, result.duplicates) == (1, 2)
    assert UsageEvent.objects.filter(message_id="new-1").count() == 1
    assert UsageEventKey.objects.filter(key=message_key("new-1")).exists()
