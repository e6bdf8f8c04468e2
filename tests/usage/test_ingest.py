"""events_store: the one write path for usage events."""

import json
from datetime import UTC, date, datetime

import pytest

from tests.factories import AccountFactory, ContactFactory
from usage.ingest import IngestError, events_store, message_key
from usage.models import AccountDailyUsage, UsageEvent
from usage.signals import events_ingested

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


def _keys() -> set[int]:
    return set(UsageEvent.objects.exclude(message_key=None).values_list("message_key", flat=True))


def test_repeated_message_ids_are_stored_once_within_and_across_batches():
    account = AccountFactory()
    first = events_store([_row(account, message_id="a"), _row(account, message_id="a"), _row(account, message_id="b")])
    second = events_store([_row(account, message_id="b"), _row(account, message_id="c")])
    assert (first.stored, first.duplicates) == (2, 1)
    assert (second.stored, second.duplicates) == (1, 1)
    assert sorted(UsageEvent.objects.values_list("message_id", flat=True)) == ["a", "b", "c"]
    assert UsageEvent.objects.filter(message_key=message_key("a", date(2026, 3, 4))).exists()


def test_a_message_id_counts_once_per_utc_day_of_its_event():
    """A resend repeats the event's own time; the same id on another UTC day is another event
    (docs/decisions.md "Usage events table"). Offsets count by the UTC day."""
    account = AccountFactory()
    first = events_store([_row(account, message_id="d", occurred_at="2026-03-04T23:30:00Z")])
    again = events_store(
        [
            _row(account, message_id="d", occurred_at="2026-03-05T01:30:00+02:00"),  # 23:30 UTC on the 4th
            _row(account, message_id="d", occurred_at="2026-03-04T00:00:00Z"),  # same day, other time
            _row(account, message_id="d", occurred_at="2026-03-05T00:00:00Z"),  # the next UTC day
        ]
    )
    assert (first.stored, again.stored, again.duplicates) == (1, 1, 2)
    days = sorted(at.date() for at in UsageEvent.objects.values_list("occurred_at", flat=True))
    assert days == [date(2026, 3, 4), date(2026, 3, 5)]
    assert _keys() == {
        message_key("d", date(2026, 3, 4)),
        message_key("d", date(2026, 3, 5)),
    }


def test_message_keys_lead_with_the_day_and_match_the_sql_backfill():
    """Keys sort by day, and PostgreSQL's MESSAGE_KEY_SQL (the backfill) gives Python's key."""
    from usage.ingest import usage_event_keys_backfill

    assert message_key("z", date(2026, 1, 1)) < message_key("a", date(2026, 1, 2)) < message_key("a", date(2149, 1, 1))
    assert message_key("a", date(1990, 1, 1)) > -(2**63) and message_key("a", date(2149, 6, 1)) < 2**63
    account = AccountFactory()
    times = ["1990-01-01T00:00:00+00:00", "2026-03-04T23:59:59.999999+00:00", "2026-11-22T08:00:00+05:00"]
    for n, at in enumerate(times):
        UsageEvent.objects.create(
            account=account, event="e", occurred_at=datetime.fromisoformat(at), message_id=f"i{n}"
        )
    assert usage_event_keys_backfill() == 3
    expected = {message_key(f"i{n}", datetime.fromisoformat(at).astimezone(UTC).date()) for n, at in enumerate(times)}
    assert _keys() == expected


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
    from tests.factories import UsageEventFactory
    from usage.ingest import usage_event_keys_backfill

    account = AccountFactory()
    seeded = UsageEventFactory(account=account, message_id="seeded-1")
    assert usage_event_keys_backfill() == 1
    key = message_key("seeded-1", seeded.occurred_at.astimezone(UTC).date())
    assert UsageEvent.objects.get(message_id="seeded-1").message_key == key
    result = events_store([_row(account, message_id="seeded-1", occurred_at=seeded.occurred_at.isoformat())])
    assert (result.stored, result.duplicates) == (0, 1)


def test_backfilled_message_ids_and_in_batch_repeats_are_stored_once():
    account = AccountFactory()
    UsageEvent.objects.create(
        account=account, event="seeded", occurred_at=datetime(2026, 3, 1, tzinfo=UTC), message_id="seed-1"
    )
    from usage.ingest import usage_event_keys_backfill

    assert usage_event_keys_backfill() == 1
    result = events_store(
        [
            _row(account, message_id="seed-1", occurred_at="2026-03-01T00:00:00Z"),
            _row(account, message_id="new-1"),
            _row(account, message_id="new-1"),
        ]
    )
    assert (result.stored, result.duplicates) == (1, 2)
    assert UsageEvent.objects.filter(message_id="new-1").count() == 1
    assert UsageEvent.objects.filter(message_key=message_key("new-1", date(2026, 3, 4))).exists()


# The fast check of the common case must accept only rows the full validation accepts, with the
# same values; anything else goes to the full validation (which reports).
TRICKY_VALUES = {
    "account": ["acme", " acme", "acme\u2003", "", "a" * 192, 7, True, None, 1.0, "ac\x00me", ["acme"]],
    "contact": ["u1", "", None, " u1", 3, False, "u\x00", "x" * 192],
    "event": ["login", " login", "", "e" * 129, 5, None, "tab\there", "back\\slash", "line\nbreak"],
    "occurred_at": [
        "2026-03-04T10:00:00Z",
        "2026-03-04T10:00:00",
        "2026-03-04T10:00:00.1234567+00:00",
        "2026-03-04T23:30:00-05:00",
        "2026-03-04",
        " 2026-03-04T10:00:00Z",
        "1989-12-31T23:00:00Z",
        "1990-01-01T00:30:00+01:00",
        "2999-01-01T00:00:00Z",
        "yesterday",
        "",
        None,
        17,
        datetime(2026, 3, 4, 10, tzinfo=UTC),
        datetime(2026, 3, 4, 10),
    ],
    "properties": [{"a": 1}, None, [1], "x", {"nul": "a\x00b"}, {"q": 'say "hi"\\ \t\n'}, {"big": 1e16}],
    "message_id": ["m1", "", None, " m1", 12, 1.5, "m" * 129, "m\x00"],
}


def _tricky_rows(account):
    base = {"account": account.external_id, "event": "login", "occurred_at": "2026-03-04T10:00:00Z"}
    for field_name, values in TRICKY_VALUES.items():
        for value in values:
            if field_name == "account" and value == "acme":
                value = account.external_id
            yield {**base, field_name: value}
    yield {**base, "account_id": account.pk}
    yield {**base, "account_id": str(account.pk)}
    yield {**base, "contact_id": None}
    yield {**base, "contact_id": "1"}
    yield "not an object"


def test_fast_check_is_a_subset_of_validation_with_the_same_values():
    from usage.ingest.validate import _validate, _validate_plain

    account = AccountFactory(external_id="acme")
    for row in _tricky_rows(account):
        fast = _validate_plain([row])
        errors: list[dict] = []
        full, _ = _validate([row], errors)
        if fast is None:
            continue
        assert not errors, (row, errors)
        (plain,), _months = fast
        (valid,) = full
        assert plain[0] == valid.account and plain[1] == valid.contact and plain[2] == valid.event, row
        assert plain[3] == valid.occurred_at and plain[3].utcoffset().total_seconds() == 0, row
        assert json.loads(plain[4]) == json.loads(valid.properties) and plain[5] == valid.message_id, row


def test_tricky_rows_store_or_refuse_alone_as_the_full_validation_says():
    from usage.ingest.ids import _resolve
    from usage.ingest.validate import _validate

    account = AccountFactory(external_id="acme")
    ContactFactory(account=account, external_id="u1")
    for number, row in enumerate(_tricky_rows(account)):
        if isinstance(row, dict) and row.get("message_id") is None:
            row = {**row, "message_id": f"t-{number}"}
        errors: list[dict] = []
        valid, _ = _validate([row], errors)
        _resolve(valid, errors)  # unknown accounts and contacts
        if errors:
            with pytest.raises(IngestError):
                events_store([row])
        else:
            result = events_store([row])  # " m1" is "m1" again: a duplicate
            assert result.stored + result.duplicates == 1, row


def test_text_with_tabs_backslashes_and_newlines_round_trips():
    account = AccountFactory()
    properties = {"q": 'say "hi"\\ \t\n\r', "nested": {"u": "é\u2028"}}
    events_store([_row(account, event="a\tb\\c\nd", properties=properties, message_id="x\\y\tz")])
    event = UsageEvent.objects.get()
    assert (event.event, event.properties, event.message_id) == ("a\tb\\c\nd", properties, "x\\y\tz")


def test_a_key_stored_concurrently_falls_back_to_the_waiting_path(monkeypatch):
    """The path for batches with repeats finds a batch's stored keys, then COPYs the rest: a
    concurrent batch that stored one in between makes that COPY fail; the batch is then stored
    through ON CONFLICT."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the COPY paths are PostgreSQL's")
    account = AccountFactory()
    events_store([_row(account, message_id="taken")])

    def miss_existing_keys(execute, sql, params, many, context):
        if sql.startswith("SELECT message_key FROM"):
            sql += " AND false"  # as if "taken" had not been committed yet when we looked
        return execute(sql, params, many, context)

    with connection.execute_wrapper(miss_existing_keys):
        result = events_store([_row(account, message_id="taken"), _row(account, message_id="fresh")])
    assert (result.stored, result.duplicates) == (1, 1)
    assert sorted(UsageEvent.objects.values_list("message_id", flat=True)) == ["fresh", "taken"]


def test_an_offset_that_moves_an_event_into_the_next_month_lands_on_its_utc_day(django_capture_on_commit_callbacks):
    """The streamed path readies the month partitions from the text before the offset is
    applied; a row the offset moves into another month is stored through the other path."""
    account = AccountFactory()
    with django_capture_on_commit_callbacks(execute=True):
        result = events_store(
            [
                _row(account, message_id="late", occurred_at="2026-03-31T23:30:00-05:00"),
                _row(account, message_id="plain"),
            ]
        )
    assert result.as_dict() == {"received": 2, "stored": 2, "duplicates": 0}
    assert UsageEvent.objects.get(message_id="late").occurred_at == datetime(2026, 4, 1, 4, 30, tzinfo=UTC)
    days = dict(AccountDailyUsage.objects.filter(account=account).values_list("day", "events"))
    assert days == {date(2026, 3, 4): 1, date(2026, 4, 1): 1}


def test_rows_naming_accounts_by_id_and_by_external_id_mix():
    account, other = AccountFactory(), AccountFactory()
    result = events_store(
        [
            _row(account, message_id="x1"),
            {"account_id": other.pk, "event": "login", "occurred_at": "2026-03-04T11:00:00Z", "message_id": "x2"},
        ]
    )
    assert (result.stored, result.duplicates) == (2, 0)
    assert dict(UsageEvent.objects.values_list("message_id", "account_id")) == {"x1": account.pk, "x2": other.pk}


def test_a_refused_batch_creates_no_month_partitions():
    """Text that fails the check must not leave partitions behind (one per month it names)."""
    from django.db import connection

    account = AccountFactory()
    rows = [_row(account, occurred_at=f"{year}-01-01T00:00:00Z") for year in (1200, 1700, 2999)]
    with pytest.raises(IngestError):
        events_store(rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE c.relname LIKE 'accounts_usageevent_p1200%%' OR c.relname LIKE 'accounts_usageevent_p1700%%' "
                "OR c.relname LIKE 'accounts_usageevent_p2999%%'"
            )
            assert cursor.fetchone()[0] == 0


def test_ids_read_by_the_caller_are_not_looked_up_again():
    """usage.tracking reads the ids in the same transaction and says so (ids_checked): the
    streamed path then skips its own lookup of accounts and contacts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    account = AccountFactory()
    contact = ContactFactory(account=account)
    row = {"account_id": account.pk, "contact_id": contact.pk, "event": "e", "occurred_at": "2026-03-04T10:00:00Z"}
    with CaptureQueriesContext(connection) as queries:
        result = events_store([{**row, "message_id": "k1"}], ids_checked=True)
    assert result.stored == 1
    if connection.vendor == "postgresql":
        assert not [q for q in queries.captured_queries if "accounts_account" in q["sql"]]
    event = UsageEvent.objects.get()
    assert (event.account_id, event.contact_id) == (account.pk, contact.pk)


def test_a_backfill_keys_the_first_row_of_each_key_only():
    """Two copied rows with one message id on one UTC day: the first gets the key, the repeat
    none (a unique key is one stored message), and a resend is still a duplicate."""
    from usage.ingest import usage_event_keys_backfill

    account = AccountFactory()
    for hour in (9, 15):
        UsageEvent.objects.create(
            account=account, event="e", occurred_at=datetime(2026, 3, 4, hour, tzinfo=UTC), message_id="twice"
        )
    assert usage_event_keys_backfill() == 1
    assert usage_event_keys_backfill() == 0
    keyed = UsageEvent.objects.exclude(message_key=None).get()
    assert keyed.occurred_at.hour == 9 and keyed.message_key == message_key("twice", date(2026, 3, 4))
    result = events_store([_row(account, message_id="twice", occurred_at="2026-03-04T20:00:00Z")])
    assert (result.stored, result.duplicates) == (0, 1)


def test_a_deadlock_with_a_concurrent_batch_counts_as_a_conflict_and_nothing_else_does():
    import psycopg.errors
    from django.db import IntegrityError, OperationalError

    from usage.sql.events import _conflict

    deadlock, timeout = OperationalError("deadlock detected"), OperationalError("canceling statement")
    deadlock.__cause__ = psycopg.errors.DeadlockDetected()
    timeout.__cause__ = psycopg.errors.QueryCanceled()
    assert _conflict(deadlock) and not _conflict(timeout)
    assert _conflict(IntegrityError("duplicate key value violates unique constraint"))
