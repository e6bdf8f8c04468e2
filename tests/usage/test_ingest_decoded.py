"""usage.ingest.decoded: the bulk body decoded by msgspec and streamed into COPY (PostgreSQL).

It may only accept what the general path (usage.ingest.events_store) accepts, and must store
exactly what that path stores; anything else it hands back untouched (None, nothing written)."""

from datetime import date

import orjson
import pytest
from django.db import connection, transaction

from tests.factories import AccountFactory, ContactFactory
from tests.usage.test_ingest import _tricky_rows
from usage.ingest import IngestError, events_store, message_key
from usage.ingest.decoded import events_decode, events_store_decoded
from usage.models import RollupDelta, UsageEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the decoded path streams COPY: PostgreSQL only")


def _stored() -> list[tuple]:
    return list(
        UsageEvent.objects.order_by("id").values_list(
            "account_id", "contact_id", "event", "occurred_at", "properties", "message_id", "message_key"
        )
    )


def _both_ways(body: bytes, monkeypatch) -> tuple:
    """(result, rows, rollup deltas) through the decoded path and through the general path, each
    rolled back afterwards; a result is None where the path refused or handed the batch back."""
    outcomes = []
    for way in ("decoded", "general"):
        with transaction.atomic():
            if way == "decoded":
                decoded = events_decode(body)
                result = events_store_decoded(decoded) if decoded is not None else None
            else:
                try:
                    result = events_store(orjson.loads(body))
                except IngestError:
                    result = None
            deltas = sorted(
                RollupDelta.objects.values_list("account_id", "day", "event", "contact_id", "events"),
                key=lambda d: (d[0], d[1], d[2], d[3] or 0, d[4]),
            )
            outcomes.append((result and result.as_dict(), _stored(), deltas))
            transaction.set_rollback(True)
    return outcomes


def test_each_tricky_row_is_stored_as_the_general_path_stores_it_or_handed_back(monkeypatch):
    account = AccountFactory(external_id="acme")
    ContactFactory(account=account, external_id="u1")
    tried = taken = 0
    for number, row in enumerate(_tricky_rows(account)):
        if isinstance(row, dict) and row.get("message_id") is None:
            row = {**row, "message_id": f"t-{number}"}
        try:
            body = orjson.dumps([row])
        except TypeError:
            continue  # a datetime: not JSON, internal callers only
        (fast, fast_rows, fast_rollups), (general, general_rows, general_rollups) = _both_ways(body, monkeypatch)
        tried += 1
        if fast is not None:
            taken += 1
            assert (fast, fast_rows, fast_rollups) == (general, general_rows, general_rollups), row
    assert tried > 50 and 10 < taken < tried  # both ways were exercised


def test_a_mixed_batch_is_stored_as_the_general_path_stores_it(monkeypatch):
    account, other = AccountFactory(external_id="acme"), AccountFactory(external_id="beta")
    ContactFactory(account=account, external_id="u1")
    times = [
        "2026-03-04T10:00:00Z",
        "2026-03-04T10:00:00.5Z",
        "2026-03-04T10:00:00.123456+00:00",
        "2026-03-04T10:00:00+00:00",
        "2026-03-04T10:00:00",  # no offset: UTC
        "2026-03-04T23:30:00-05:00",  # the next UTC day
        "2026-03-04 10:00:00+00:00",
    ]
    rows = []
    for i in range(300):
        row = {
            "account": "acme" if i % 3 else "beta",
            "event": ["login", "a\tb", "back\\slash", "Page Viewed"][i % 4] if i % 50 else "line\nbreak",
            "occurred_at": times[i % len(times)],
            "properties": [{"n": i}, None, {}, {"q": 'say "hi"', "u": "é\u2028"}][i % 4],
            "message_id": ["", None, f"m-{i}", f"n-{i}"][i % 4],
        }
        if i % 5 == 0:
            row["contact"] = "u1" if i % 2 else ""
        rows.append(row)
    body = orjson.dumps(rows)
    (fast, fast_rows, fast_rollups), general_outcome = _both_ways(body, monkeypatch)
    assert fast is not None and fast["stored"] == 300
    assert (fast, fast_rows, fast_rollups) == general_outcome
    assert {r[0] for r in fast_rows} == {account.pk, other.pk}


def test_ndjson_is_decoded_line_by_line():
    AccountFactory(external_id="acme")
    body = (
        b'{"account": "acme", "event": "a", "occurred_at": "2026-01-01T10:00:00Z", "message_id": "1"}\n\n'
        b'{"account": "acme", "event": "b", "occurred_at": "2026-01-01T11:00:00Z", "message_id": "2"}\r\n'
    )
    decoded = events_decode(body)
    assert [e.event for e in decoded] == ["a", "b"]
    assert events_decode(body.replace(b"}\n\n{", b"} {")) is None  # two objects on a line: the general path refuses
    assert events_store_decoded(decoded).as_dict() == {"received": 2, "stored": 2, "duplicates": 0}


@pytest.mark.parametrize(
    "row",
    [
        {"account_id": 1, "event": "e", "occurred_at": "2026-01-01T10:00:00Z"},  # internal callers' ids
        {"account": "acme", "contact_id": None, "event": "e", "occurred_at": "2026-01-01T10:00:00Z"},
        {"account": 7, "event": "e", "occurred_at": "2026-01-01T10:00:00Z"},  # an int the general path takes
        {"account": "acme", "event": "e", "occurred_at": "2026-01-01T10:00:00Z", "properties": [1]},
        {"account": "acme", "event": "e" * 129, "occurred_at": "2026-01-01T10:00:00Z"},
        {"account": "a" * 192, "event": "e", "occurred_at": "2026-01-01T10:00:00Z"},
    ],
)
def test_other_shapes_are_not_decoded(row):
    assert events_decode(orjson.dumps([row])) is None


def test_lengths_are_counted_in_characters_as_python_counts_them():
    row = {"account": "é" * 191, "event": "ü" * 128, "occurred_at": "2026-01-01T10:00:00Z", "message_id": "😀" * 128}
    assert events_decode(orjson.dumps([row])) is not None


def test_rows_are_keyed_by_the_utc_day_they_are_stored_under():
    AccountFactory(external_id="acme")
    times = [
        "2026-01-01T23:00:00-02:00",
        "2026-01-02T01:00:00+02:00",
        "2026-01-01T10:00:00Z",
        "2026-01-01",
        "1990-01-01T00:00:00Z",
    ]
    rows = [{"account": "acme", "event": "e", "occurred_at": at, "message_id": f"t{i}"} for i, at in enumerate(times)]
    assert events_store_decoded(events_decode(orjson.dumps(rows))).stored == 5
    days = ["2026-01-02", "2026-01-01", "2026-01-01", "2026-01-01", "1990-01-01"]
    assert dict(UsageEvent.objects.values_list("message_id", "message_key")) == {
        f"t{i}": message_key(f"t{i}", date.fromisoformat(d)) for i, d in enumerate(days)
    }


def test_a_batch_that_repeats_a_message_id_is_handed_back_and_the_general_path_keeps_the_first():
    AccountFactory(external_id="acme")
    rows = [
        {"account": "acme", "event": f"e{i}", "occurred_at": "2026-01-01T10:00:00Z", "message_id": m}
        for i, m in enumerate(["r", "s", "r"])
    ]
    assert events_store_decoded(events_decode(orjson.dumps(rows))) is None
    assert not UsageEvent.objects.exists()
    assert events_store(rows, stream=False).as_dict() == {"received": 3, "stored": 2, "duplicates": 1}
    assert sorted(UsageEvent.objects.values_list("event", flat=True)) == ["e0", "e1"]


def test_a_resend_or_an_unknown_account_is_handed_back_with_nothing_written():
    AccountFactory(external_id="acme")
    rows = [{"account": "acme", "event": "e", "occurred_at": "2026-01-01T10:00:00Z", "message_id": "r1"}]
    assert events_store_decoded(events_decode(orjson.dumps(rows))).stored == 1
    resend = rows + [{**rows[0], "message_id": "r2"}]
    assert events_store_decoded(events_decode(orjson.dumps(resend))) is None  # r1's key exists
    ghost = [{**rows[0], "account": "ghost", "message_id": "r3"}]
    assert events_store_decoded(events_decode(orjson.dumps(ghost))) is None
    assert UsageEvent.objects.count() == 1
    assert events_store(orjson.loads(orjson.dumps(resend)), stream=False).as_dict() == {
        "received": 2,
        "stored": 1,
        "duplicates": 1,
    }


def test_the_bulk_endpoint_takes_the_decoded_path(api_ingest, monkeypatch):
    from usage.api import views

    AccountFactory(external_id="acme")

    def general(*args, **kwargs):
        raise AssertionError("the general path was taken")

    monkeypatch.setattr(views, "events_store", general)
    rows = [
        {"account": "acme", "event": "e", "occurred_at": "2026-01-01T10:00:00Z", "message_id": f"m{i}"}
        for i in range(5)
    ]
    response = api_ingest.post("/api/v1/events/bulk", rows, format="json")
    assert response.status_code == 200 and response.json() == {"received": 5, "stored": 5, "duplicates": 0}
