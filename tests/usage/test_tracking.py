"""Segment-compatible tracking: the real analytics-python client against a live server, and the
status codes / atomicity a Segment client relies on."""

import base64
import gzip
import json

import pytest
from rest_framework.test import APIClient
from segment.analytics import Client

from accounts.models import Account, Contact
from core.choices import APIKeyScope
from core.services import api_key_create
from usage.models import UsageEvent


def _basic(raw_key: str) -> str:
    return "Basic " + base64.b64encode(f"{raw_key}:".encode()).decode()


@pytest.fixture
def write_key(db):
    return api_key_create(name="segment", scope=APIKeyScope.INGEST)[1]


@pytest.fixture
def tracker(write_key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=_basic(write_key))
    return client


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("use_gzip", [False, True])
def test_real_segment_client_end_to_end(live_server, write_key, use_gzip):
    # given: Segment's own Python library pointed at us
    errors = []
    analytics = Client(
        write_key, host=live_server.url, sync_mode=True, gzip=use_gzip, on_error=lambda e, b: errors.append(e)
    )
    # when
    analytics.group("u-1", "acme", {"name": "Acme Corp", "website": "acme.test", "industry": "Retail"})
    analytics.identify("u-1", {"email": "ann@acme.test", "name": "Ann"})
    analytics.track("u-1", "Report Viewed", {"report": "mrr"}, message_id="msg-1")
    analytics.track("u-1", "Report Viewed", {"report": "mrr"}, message_id="msg-1")  # a retry
    analytics.page("u-1", "Docs", "Getting started", {"url": "https://acme.test/docs"})
    analytics.track("u-2", "Signed Up", {}, context={"groupId": "beta"})  # new account and contact
    analytics.flush()
    # then
    assert errors == []
    acme = Account.objects.get(external_id="acme")
    assert (acme.name, acme.domain, acme.industry) == ("Acme Corp", "acme.test", "Retail")
    ann = Contact.objects.get(external_id="u-1")
    assert (ann.email, ann.name, ann.account_id) == ("ann@acme.test", "Ann", acme.pk)
    assert ann.last_seen_at is not None
    events = list(UsageEvent.objects.filter(account=acme).order_by("occurred_at").values_list("event", "message_id"))
    assert [e for e, _ in events] == ["Report Viewed", "Page Viewed"]
    assert events[0][1] == "msg-1"
    assert Contact.objects.get(external_id="u-2").account.external_id == "beta"
    assert UsageEvent.objects.filter(account__external_id="beta", event="Signed Up").count() == 1


@pytest.mark.django_db(transaction=True)
def test_real_client_gets_400_for_bad_batch_and_nothing_is_stored(live_server, write_key):
    from segment.analytics.request import APIError

    analytics = Client(write_key, host=live_server.url, sync_mode=True)
    with pytest.raises(APIError) as info:  # sync mode raises what the threaded consumer would drop
        analytics.track("nobody", "Clicked", {})  # no groupId and no group call: account unknown
    assert info.value.status == 400 and info.value.code == "invalid"
    assert not UsageEvent.objects.exists()


def test_batch_is_atomic(tracker):
    body = {
        "batch": [
            {"type": "group", "userId": "u1", "groupId": "acme", "traits": {"name": "Acme"}},
            {"type": "track", "userId": "u1", "event": "Login", "messageId": "m1", "timestamp": "2026-01-01T10:00:00Z"},
            {"type": "track", "userId": "u1", "event": "Login", "timestamp": "not a date"},
            {"type": "bogus"},
        ]
    }
    response = tracker.post("/v1/batch", body, format="json")
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == "invalid" and payload["message"]
    assert {(e["index"], e["field"]) for e in payload["errors"]} == {(2, "timestamp"), (3, "type")}
    body["batch"].pop()
    response = tracker.post("/v1/batch", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"index": 2, "field": "timestamp", "reason": "is not an ISO 8601 date-time"}]
    # nothing of the batch stayed: not even the group call
    assert not Account.objects.exists() and not UsageEvent.objects.exists()


def test_message_id_is_stored_once_across_requests(tracker):
    tracker.post("/v1/group", {"userId": "u1", "groupId": "acme"}, format="json")
    track = {"userId": "u1", "event": "Export", "messageId": "abc", "timestamp": "2026-02-01T08:00:00Z"}
    assert tracker.post("/v1/track", track, format="json").json() == {"success": True}
    assert tracker.post("/v1/track", track, format="json").status_code == 200
    assert UsageEvent.objects.filter(message_id="abc").count() == 1


@pytest.fixture
def full_tracker(db):
    """A write-scoped key: group and identify may change existing records (an ingest key may not)."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=_basic(api_key_create(name="full", scope=APIKeyScope.WRITE)[1]))
    return client


def test_last_group_call_decides_the_account(full_tracker):
    tracker = full_tracker
    tracker.post("/v1/group", {"userId": "u1", "groupId": "old"}, format="json")
    tracker.post("/v1/group", {"userId": "u1", "groupId": "new"}, format="json")
    tracker.post("/v1/track", {"userId": "u1", "event": "E", "timestamp": "2026-02-01T08:00:00Z"}, format="json")
    assert UsageEvent.objects.get().account.external_id == "new"


def test_gzip_body(tracker):
    body = gzip.compress(json.dumps({"userId": "u1", "groupId": "acme", "traits": {"name": "Acme"}}).encode())
    response = tracker.generic("POST", "/v1/group", body, content_type="application/json", HTTP_CONTENT_ENCODING="gzip")
    assert response.status_code == 200
    assert Account.objects.get(external_id="acme").name == "Acme"


def test_auth_status_codes(db, tracker):
    anonymous = APIClient()
    response = anonymous.post("/v1/track", {"userId": "u", "event": "e"}, format="json")
    assert response.status_code == 401 and set(response.json()) >= {"code", "message"}
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION=_basic("csk_wrong"))
    assert wrong.post("/v1/track", {"userId": "u", "event": "e"}, format="json").status_code == 401
    reader = APIClient()
    reader.credentials(HTTP_AUTHORIZATION=_basic(api_key_create(name="r", scope=APIKeyScope.READ)[1]))
    assert reader.post("/v1/track", {"userId": "u", "event": "e"}, format="json").status_code == 403


def test_bad_json_is_400_with_code(tracker):
    response = tracker.generic("POST", "/v1/batch", b"{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_json"
