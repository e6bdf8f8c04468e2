"""REST API contract of usage events: the bulk load (JSON, NDJSON, gzip), dedupe across batches."""

import pytest

from accounts.models import Account
from tests.factories import AccountFactory, ContactFactory
from usage.models import UsageEvent

pytestmark = pytest.mark.django_db


def test_events_bulk_json_and_ndjson_dedupe_across_batches(api_ingest):
    AccountFactory(external_id="acme")
    ContactFactory(external_id="u1", account=Account.objects.get())
    rows = [
        {
            "account": "acme",
            "contact": "u1",
            "event": "login",
            "occurred_at": "2026-01-01T10:00:00Z",
            "message_id": "a",
        },
        {"account": "acme", "event": "export", "occurred_at": "2026-01-01T11:00:00Z", "message_id": "b"},
    ]
    first = api_ingest.post("/api/v1/events/bulk", rows, format="json")
    assert first.status_code == 200 and first.json() == {"received": 2, "stored": 2, "duplicates": 0}
    ndjson = (
        '{"account": "acme", "event": "export", "occurred_at": "2026-01-01T11:00:00Z", "message_id": "b"}\n'
        '{"account": "acme", "event": "export", "occurred_at": "2026-01-01T12:00:00Z", "message_id": "c"}\n'
    )
    second = api_ingest.post("/api/v1/events/bulk", ndjson, content_type="application/x-ndjson")
    assert second.json() == {"received": 2, "stored": 1, "duplicates": 1}
    assert UsageEvent.objects.count() == 3


def test_events_bulk_refuses_bad_rows_with_row_numbers(api_ingest):
    AccountFactory(external_id="acme")
    ndjson = (
        '{"account": "acme", "event": "ok", "occurred_at": "2026-01-01T10:00:00Z"}\n'
        "\n"
        '{"account": "ghost", "event": "x", "occurred_at": "2026-01-01T10:00:00Z"}\n'
        "not json\n"
    )
    response = api_ingest.post("/api/v1/events/bulk", ndjson, content_type="application/x-ndjson")
    assert response.status_code == 400
    assert [e["row"] for e in response.json()["errors"]] == [4]  # unreadable lines are reported first
    fixed = ndjson.replace("not json\n", "")
    response = api_ingest.post("/api/v1/events/bulk", fixed, content_type="application/x-ndjson")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"row": 3, "field": "account", "reason": "unknown account 'ghost'"}]
    assert not UsageEvent.objects.exists()


def test_events_bulk_accepts_gzip(api_ingest):
    import gzip
    import json

    AccountFactory(external_id="acme")
    rows = [
        {"account": "acme", "event": "e", "occurred_at": "2026-01-01T10:00:00Z", "message_id": f"m{i}"}
        for i in range(50)
    ]
    body = gzip.compress(json.dumps(rows).encode())
    response = api_ingest.generic(
        "POST", "/api/v1/events/bulk", body, content_type="application/json", HTTP_CONTENT_ENCODING="gzip"
    )
    assert response.status_code == 200 and response.json()["stored"] == 50
