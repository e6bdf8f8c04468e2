"""Malformed and hostile input is a 400 naming the field and the reason, never a 500 (issue 15,
item 18): deeply nested JSON on every body the platform parses (REST API, Segment, the
anonymous widget endpoints, the Stripe webhook), a NUL character in a reference, a filter or a
path, time-zone offsets PostgreSQL cannot store, a crafted cursor. Runs on SQLite and, with
DATABASE_URL, on PostgreSQL (where most of these were 500s: the database refused the value)."""

import base64
import json

import pytest
import stripe
from django.db import IntegrityError
from rest_framework.test import APIClient

from accounts.models import Account
from core.api.parsers import MAX_DEPTH, JSONBodyError, json_parse
from core.choices import APIKeyScope
from core.services import api_key_create
from tests.factories import AccountFactory, ContactFactory
from tests.factories.surveys import SurveyWorkspaceFactory

pytestmark = pytest.mark.django_db

TOO_DEEP = 5000  # Python's json (DRF's parser, the widget, stripe) raised RecursionError at ~1,000


def nested(depth: int):
    """A JSON text of `depth` nested objects: {"a": {"a": ... 1 ...}}."""
    return '{"a":' * depth + "1" + "}" * depth


def deep_list(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture
def keys(db):
    AccountFactory(external_id="acme")
    ContactFactory(external_id="u1", account=Account.objects.get(external_id="acme"))
    raw = api_key_create(name="hostile", scope=APIKeyScope.WRITE)[1]
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    basic = APIClient()
    basic.credentials(HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"{raw}:".encode()).decode())
    return {"bearer": bearer, "basic": basic}


def _post(client, url: str, body: str, method: str = "POST"):
    return client.generic(method, url, body.encode(), content_type="application/json")


def assert_400(response, code: str, field: str | None):
    assert response.status_code == 400, (response.status_code, response.content[:300])
    body = response.json()
    assert body["code"] == code, body
    assert body["message"]
    fields = {e["field"] for e in body.get("errors", [])} | {body.get("field")}
    assert field in fields, body
    text = json.dumps(body).lower()
    assert "psycopg" not in text and "violates" not in text and "sql" not in text


# Section: deep nesting on each REST operation that takes a body, and Segment

REST_BODIES = [
    ("POST", "/api/v1/accounts/", "custom_fields", {"external_id": "x", "name": "X"}),
    ("PATCH", "/api/v1/accounts/acme/", "custom_fields", {}),
    ("PUT", "/api/v1/accounts/acme/", "custom_fields", {"external_id": "acme", "name": "A"}),
    ("POST", "/api/v1/contacts/", "custom_fields", {"external_id": "c", "account": "acme"}),
    ("PATCH", "/api/v1/contacts/u1/", "custom_fields", {}),
    ("POST", "/api/v1/subscriptions/", "entitlements", {"account": "acme", "plan": "p", "mrr": 1}),
    ("POST", "/api/v1/tickets/", "subject", {"external_id": "t", "account": "acme"}),
    ("POST", "/api/v1/costs/", "note", {"period_start": "2026-01-01", "period_end": "2026-02-01", "amount": 1}),
    ("POST", "/api/v1/activities/", "metadata", {"account": "acme", "subject": "s"}),
    ("POST", "/api/v1/events/", "properties", {"account": "acme", "event": "e"}),
    ("POST", "/api/v1/events/bulk", "0.properties", None),
    ("POST", "/api/v1/survey-responses/", "answers", {"kind": "nps", "account": "acme", "score": 9}),
]


@pytest.mark.parametrize(("method", "url", "field", "rest"), REST_BODIES)
def test_deep_nesting_in_a_field_is_a_400_naming_it(keys, method, url, field, rest):
    inner = nested(MAX_DEPTH + 10)
    if rest is None:  # a bulk body: a list of rows
        body = f'[{{"account": "acme", "event": "e", "occurred_at": "2026-01-01T00:00:00Z", "properties": {inner}}}]'
    else:
        body = json.dumps(rest)[:-1] + (", " if rest else "") + f'"{field}": {inner}}}'
    assert_400(_post(keys["bearer"], url, body, method), "too_deep", field)


@pytest.mark.parametrize(("method", "url", "field", "rest"), REST_BODIES)
def test_nesting_past_the_parsers_own_limits_is_a_400(keys, method, url, field, rest):
    response = _post(keys["bearer"], url, deep_list(TOO_DEEP), method)
    assert_400(response, "too_deep", None)


@pytest.mark.parametrize("path", ["/v1/track", "/v1/group", "/v1/identify", "/v1/page", "/v1/batch"])
@pytest.mark.parametrize("depth", [MAX_DEPTH + 10, 900, TOO_DEEP])
def test_segment_deep_nesting_is_a_400(keys, path, depth):
    if depth == TOO_DEEP:
        body, field = deep_list(depth), None
    else:
        body, field = f'{{"userId": "u1", "event": "e", "groupId": "acme", "traits": {nested(depth)}}}', "traits"
    assert_400(_post(keys["basic"], path, body), "too_deep", field)


def test_bulk_fast_path_with_deep_properties_is_a_400_naming_the_row(keys):
    """Many rows (past the C bracket count) and one deep properties object: the msgspec path
    (PostgreSQL) hands it to the general path, which names the row."""
    rows = [
        {"account": "acme", "event": "e", "occurred_at": "2026-01-01T00:00:00Z", "properties": {"n": i}}
        for i in range(80)
    ]
    body = json.dumps(rows)[:-1] + ', {"account": "acme", "event": "e", "occurred_at": "2026-01-01T00:00:00Z",'
    body += f' "properties": {nested(900)}}}]'
    assert_400(_post(keys["bearer"], "/api/v1/events/bulk", body), "too_deep", "80.properties")


def test_bulk_ndjson_deep_line_is_reported_by_row(keys):
    body = f'{{"account": "acme", "event": "e", "occurred_at": "2026-01-01T00:00:00Z", "properties": {nested(900)}}}\n'
    response = keys["bearer"].generic("POST", "/api/v1/events/bulk", body.encode(), content_type="application/x-ndjson")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"row": 1, "field": "properties", "reason": "nested deeper than 64 levels"}]


# Section: the anonymous widget endpoints and the Stripe webhook


@pytest.mark.parametrize("endpoint", ["eligibility", "answer", "dismiss"])
@pytest.mark.parametrize("depth", [MAX_DEPTH + 10, TOO_DEEP])
def test_widget_deep_nesting_is_a_400(db, endpoint, depth):
    workspace = SurveyWorkspaceFactory()
    body = deep_list(depth) if depth == TOO_DEEP else f'{{"user_id": "u", "answers": {nested(depth)}}}'
    response = APIClient().generic("POST", f"/widget/{workspace.key}/{endpoint}/", body.encode(), "application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "too_deep"
    assert response.json()["field"] == (None if depth == TOO_DEEP else "answers")


@pytest.mark.parametrize("depth", [MAX_DEPTH + 10, TOO_DEEP])
def test_stripe_webhook_deep_nesting_is_a_400(db, settings, depth):
    """A signed deep body (stripe's own json.loads raised RecursionError after the signature)."""
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test"
    body = deep_list(depth) if depth == TOO_DEEP else f'{{"id": "evt_1", "data": {nested(depth)}}}'
    header = stripe.WebhookSignature.generate_signature_header(body, "whsec_test")
    response = APIClient().generic(
        "POST", "/webhooks/stripe/", body.encode(), "application/json", HTTP_STRIPE_SIGNATURE=header
    )
    assert response.status_code == 400
    assert response.json()["code"] == "too_deep"


# Section: NUL characters


@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("POST", "/api/v1/contacts/", {"external_id": "c", "account": "ac\x00me"}, "account"),
        ("POST", "/api/v1/contacts/", {"external_id": "c\x00", "account": "acme"}, "external_id"),
        ("POST", "/api/v1/tickets/", {"external_id": "t", "account": "acme", "contact": "u\x001"}, "contact"),
        ("POST", "/api/v1/accounts/", [{"external_id": "x", "name": "X", "parent": "ac\x00me"}], "0.parent"),
        ("POST", "/api/v1/events/", {"account": "ac\x00me", "event": "e"}, "account"),
        ("POST", "/api/v1/events/bulk", [{"account": "acme", "contact": "u\x00", "event": "e"}], "0.contact"),
        ("POST", "/api/v1/survey-responses/", {"kind": "nps", "account": "ac\x00me", "score": 9}, "account"),
        ("POST", "/v1/track", {"userId": "u\x001", "event": "e"}, "userId"),
        ("POST", "/v1/group", {"groupId": "ac\x00me"}, "groupId"),
        ("POST", "/v1/identify", {"userId": "u1", "context": {"groupId": "a\x00"}}, "context.groupId"),
    ],
)
def test_nul_in_a_body_is_a_400_naming_the_field(keys, method, url, body, field):
    client = keys["basic"] if url.startswith("/v1/") else keys["bearer"]
    assert_400(_post(client, url, json.dumps(body), method), "nul_character", field)


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/accounts/", {"external_id": "ac\x00me"}, "external_id"),
        ("/api/v1/accounts/", {"parent": "\x00"}, "parent"),
        ("/api/v1/contacts/", {"account": "ac\x00me"}, "account"),
        ("/api/v1/events/", {"message_id": "m\x00"}, "message_id"),
        ("/api/v1/tickets/", {"external_id": "\x00"}, "external_id"),
        ("/api/v1/survey-responses/", {"account": "\x00"}, "account"),
        ("/api/v1/health/scores/", {"account": "\x00"}, "account"),
    ],
)
def test_nul_in_a_filter_is_a_400_naming_it(keys, url, params, field):
    assert_400(keys["bearer"].get(url, params), "nul_character", field)


@pytest.mark.parametrize("url", ["/api/v1/accounts/ac%00me/", "/api/v1/contacts/u%001/", "/api/v1/tickets/%00/"])
def test_nul_in_a_path_is_a_400(keys, url):
    assert_400(keys["bearer"].get(url), "nul_character", "path")


# Section: date filters and cursors


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/accounts/", "updated_after"),
        ("/api/v1/contacts/", "updated_after"),
        ("/api/v1/events/", "occurred_after"),
        ("/api/v1/events/", "occurred_before"),
        ("/api/v1/tickets/", "opened_after"),
        ("/api/v1/activities/", "occurred_after"),
        ("/api/v1/survey-responses/", "submitted_after"),
    ],
)
@pytest.mark.parametrize("offset", ["+16:00", "-16:00", "+20:00", "+23:59"])
def test_date_filter_offsets_past_15_59_are_a_400(keys, url, field, offset):
    response = keys["bearer"].get(url, {field: f"2026-01-01T00:00:00{offset}"})
    assert_400(response, "invalid", field)
    assert "15:59" in response.json()["message"]


def test_date_filter_offsets_within_15_59_work(keys):
    for offset in ("+15:59", "-15:00", "+05:30", "Z"):
        response = keys["bearer"].get("/api/v1/accounts/", {"updated_after": f"2026-01-01T00:00:00{offset}"})
        assert response.status_code == 200


def _cursor(query: str) -> str:
    return base64.b64encode(query.encode()).decode()


@pytest.mark.parametrize("url", ["/api/v1/accounts/", "/api/v1/events/", "/api/v1/health/scores/"])
@pytest.mark.parametrize(
    "cursor",
    [
        "zzz",
        _cursor("p=abc"),
        _cursor("p=99999999999999999999999"),
        _cursor("p=1.5"),
        _cursor("o=-1"),
        _cursor("r=x&p=1"),
        _cursor("p=\x00"),
    ],
)
def test_crafted_cursor_is_a_400(keys, url, cursor):
    assert_400(keys["bearer"].get(url, {"cursor": cursor}), "invalid_cursor", "cursor")


def test_real_cursor_still_pages(keys):
    for i in range(3):
        AccountFactory(external_id=f"p{i}")
    first = keys["bearer"].get("/api/v1/accounts/", {"page_size": 2}).json()
    second = keys["bearer"].get(first["next"]).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 2


# Section: the parser itself


def test_json_parse_names_the_path_of_a_nul_and_of_deep_nesting():
    with pytest.raises(JSONBodyError) as info:
        json_parse(b'{"a": [1, {"b": "x\\u0000"}]}')
    assert (info.value.code, info.value.field) == ("nul_character", "a.1.b")
    with pytest.raises(JSONBodyError) as info:
        json_parse((f'{{"k": {nested(70)}}}').encode())
    assert (info.value.code, info.value.field) == ("too_deep", "k")
    assert json_parse(b'{"a": "\\\\u0000"}') == {"a": "\\u0000"}  # an escaped backslash, not a NUL
    assert json_parse(nested(MAX_DEPTH - 1).encode())


# Section: database errors are never quoted; a concurrent create is not an error


def test_a_refused_write_does_not_quote_the_database(keys, monkeypatch):
    from accounts.api.views import AccountViewSet

    def refuse(*, items, **kwargs):
        raise IntegrityError('duplicate key value violates unique constraint "accounts_account_external_id_key"')

    monkeypatch.setattr(AccountViewSet, "upsert", staticmethod(refuse))
    response = _post(keys["bearer"], "/api/v1/accounts/", json.dumps({"external_id": "n", "name": "N"}))
    assert response.status_code == 400
    assert "violates" not in response.content.decode() and "duplicate key" not in response.content.decode()
