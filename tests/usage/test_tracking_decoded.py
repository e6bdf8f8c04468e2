"""/v1/batch decoded by msgspec and streamed into COPY (usage.tracking_decoded): the same rows as
the general path (usage.tracking), nothing lost or duplicated on resends, retries and
concurrent deliveries, and a partial failure reported per message with nothing stored."""

import base64
import copy
import threading
from contextlib import nullcontext
from unittest import mock

import pytest
from django.db import OperationalError, connection, transaction
from rest_framework.test import APIClient

from accounts.models import Account, Contact
from core.choices import APIKeyScope
from core.db import is_postgresql
from core.services import api_key_create
from usage.models import UsageEvent
from usage.tracking import tracking_messages_store
from usage.tracking_decoded import store as decoded_store

T1, T2, T3, T4 = (f"2026-03-0{d}T10:00:00+00:00" for d in range(1, 5))


def _client(scope=APIKeyScope.WRITE) -> APIClient:
    client = APIClient()
    raw = api_key_create(name=f"segment-{scope}", scope=scope)[1]
    client.credentials(HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"{raw}:".encode()).decode())
    return client


@pytest.fixture
def known(db):
    acme = Account.objects.create(external_id="acme", name="Acme")
    Contact.objects.create(external_id="u1", account=acme, email="ann@acme.test")
    Contact.objects.create(external_id="u3", account=acme)
    return acme


def _state():
    accounts = sorted(Account.objects.values_list("external_id", "name", "domain", "industry"))
    contacts = sorted(
        Contact.objects.values_list("external_id", "account__external_id", "email", "name", "last_seen_at"),
        key=repr,
    )
    events = sorted(
        UsageEvent.objects.values_list(
            "account__external_id",
            "contact__external_id",
            "event",
            "occurred_at",
            "properties",
            "message_id",
            "message_key",
        ),
        key=repr,
    )
    return accounts, contacts, events


MIXED = [
    {
        "type": "group",
        "userId": "u2",
        "groupId": "beta",
        "traits": {"name": "Beta Inc", "website": "beta.test"},
        "sentAt": T1,
    },
    {"type": "identify", "userId": "u2", "traits": {"email": "bo@beta.test", "name": "Bo"}, "timestamp": T1},
    {
        "type": "track",
        "userId": "u1",
        "event": "Login",
        "messageId": "m1",
        "timestamp": T2,
        "context": {"groupId": "acme", "library": {"name": "analytics-python", "version": "2.4.0"}},
        "integrations": {"All": True},
    },
    {
        "type": "track",
        "userId": "u1",
        "event": "Login",
        "messageId": "m1",
        "timestamp": T2,
        "context": {"groupId": "acme"},
    },
    {
        "type": "track",
        "userId": "u2",
        "event": "Export",
        "messageId": "m2",
        "timestamp": "2026-03-02T01:00:00+02:00",
        "properties": {"rows": 3, "nested": {"a": [1, 2, {"b": None}]}, "text": "tab\there \\ back"},
    },
    {
        "type": "page",
        "userId": "u1",
        "name": "Docs",
        "category": "Help",
        "properties": {"url": "https://acme.test/docs"},
        "timestamp": "2026-03-03T10:00:00Z",
        "context": {"groupId": "acme"},
        "messageId": "m3",
    },
    {"type": "screen", "userId": 12345, "name": "Home", "timestamp": T3, "context": {"groupId": "gamma"}},
    {"type": "alias", "userId": "u1", "previousId": "anon-1"},
    {"type": "track", "anonymousId": "anon-9", "event": "Viewed", "timestamp": T4, "context": {"groupId": "acme"}},
]

EVENTS = [
    {
        "type": "track" if n % 3 else "page",
        "userId": "u1" if n % 2 else "u3",
        "event": f"Feature {n % 4}",
        "name": "Pricing",
        "messageId": f"e-{n}",
        "timestamp": f"2026-0{1 + n % 3}-1{n % 10}T0{n % 10}:30:00.{n:06d}+00:00",
        "properties": {"n": n, "plan": "growth"},
        "context": {"groupId": "acme", "ip": "203.0.113.9"},
    }
    for n in range(40)
]


@pytest.mark.parametrize(("batch", "path"), [(MIXED, "two passes"), (EVENTS, "streamed")])
@pytest.mark.parametrize("scope", [APIKeyScope.WRITE, APIKeyScope.INGEST])
def test_stores_what_the_general_path_stores(known, django_capture_on_commit_callbacks, batch, path, scope):
    # given: what the general path makes of the batch (then rolled back)
    with transaction.atomic():
        with django_capture_on_commit_callbacks(execute=True):
            tracking_messages_store(copy.deepcopy(batch), identity_changes=scope == APIKeyScope.WRITE)
        expected = _state()
        transaction.set_rollback(True)
    assert _state() != expected
    # when: the endpoint (on PostgreSQL the decoded path, never the general one)
    general = mock.patch("usage.api.segment.tracking_messages_store", side_effect=AssertionError("general path"))
    with django_capture_on_commit_callbacks(execute=True), general if is_postgresql() else nullcontext():
        streamed = mock.patch.object(decoded_store, "_store_two_pass", wraps=decoded_store._store_two_pass)
        with streamed as two_pass:
            response = _client(scope).post("/v1/batch", {"batch": batch}, format="json")
    # then
    assert response.status_code == 200, response.content
    assert response.json() == {"success": True}
    assert _state() == expected
    if is_postgresql():
        assert two_pass.called == (path == "two passes")


def test_resend_stores_nothing_new(known, django_capture_on_commit_callbacks):
    client = _client()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/v1/batch", {"batch": EVENTS}, format="json").status_code == 200
    stored = _state()
    assert len(stored[2]) == len(EVENTS)
    # a resend of the same batch, then one that mixes old and new message ids
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/v1/batch", {"batch": EVENTS}, format="json").status_code == 200
    assert _state() == stored
    more = [dict(m, messageId=f"new-{i}") for i, m in enumerate(EVENTS[:5])]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/v1/batch", {"batch": EVENTS[10:20] + more}, format="json").status_code == 200
    assert UsageEvent.objects.count() == len(EVENTS) + 5
    assert UsageEvent.objects.filter(message_id__startswith="new-").count() == 5


def test_partial_failure_reports_each_message_and_stores_nothing(known):
    client = _client()
    batch = copy.deepcopy(EVENTS[:6])
    batch[1]["timestamp"] = "yesterday"
    batch[3] = {"type": "track", "userId": "nobody", "event": "E", "timestamp": T1, "messageId": "x"}  # no account
    batch[4]["properties"] = "not an object"
    response = client.post("/v1/batch", {"batch": batch}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {(e["index"], e["field"]) for e in errors} == {(1, "timestamp"), (4, "properties")}
    batch[1]["timestamp"], batch[4]["properties"] = T1, {}
    response = client.post("/v1/batch", {"batch": batch}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "index": 3,
            "field": "context.groupId",
            "reason": "cannot tell the account: send context.groupId, or a group call for this userId first",
        }
    ]
    assert not UsageEvent.objects.exists() and not Contact.objects.filter(external_id="nobody").exists()
    # the client fixes the batch and sends it again: stored once
    batch[3]["context"] = {"groupId": "acme"}
    for _ in range(2):
        assert client.post("/v1/batch", {"batch": batch}, format="json").status_code == 200
    assert UsageEvent.objects.count() == 6


def test_too_deep_properties_are_refused_naming_the_field(known):
    deep: dict = {}
    node = deep
    for _ in range(70):
        node["x"] = {}
        node = node["x"]
    batch = [dict(EVENTS[0], properties=deep)]
    response = _client().post("/v1/batch", {"batch": batch}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "too_deep"
    assert not UsageEvent.objects.exists()


def test_unknown_contacts_and_accounts_are_created_once(known, django_capture_on_commit_callbacks):
    batch = [dict(m, userId=f"new-{i % 3}", context={"groupId": f"new-acct-{i % 2}"}) for i, m in enumerate(EVENTS)]
    client = _client()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post("/v1/batch", {"batch": batch}, format="json").status_code == 200
    assert Account.objects.filter(external_id__startswith="new-acct-").count() == 2
    assert Contact.objects.filter(external_id__startswith="new-").count() == 3
    assert UsageEvent.objects.count() == len(EVENTS)
    # each contact belongs to the account of its first event
    assert Contact.objects.get(external_id="new-1").account.external_id == "new-acct-1"


def test_last_seen_moves_forward_after_commit_never_back(known, django_capture_on_commit_callbacks):
    client = _client()
    late = [dict(EVENTS[1], timestamp="2026-03-05T12:00:00+00:00", messageId="late")]
    early = [dict(EVENTS[1], timestamp="2026-03-01T12:00:00+00:00", messageId="early")]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post("/v1/batch", {"batch": late}, format="json").status_code == 200
    assert Contact.objects.get(external_id="u1").last_seen_at is None  # a worker's job, after commit
    for callback in callbacks:
        callback()
    seen = Contact.objects.get(external_id="u1").last_seen_at
    assert seen.isoformat() == "2026-03-05T12:00:00+00:00"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/v1/batch", {"batch": early}, format="json").status_code == 200
    assert Contact.objects.get(external_id="u1").last_seen_at == seen


def test_a_failure_mid_copy_writes_nothing_and_the_retry_stores_once(known, django_capture_on_commit_callbacks):
    batch = [dict(EVENTS[n % 40], messageId=f"big-{n}") for n in range(decoded_store.CHUNK * 2 + 10)]
    real_chunk = decoded_store._stream_text
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # the first chunk is in the COPY already
            raise OperationalError("server closed the connection unexpectedly")
        return real_chunk(*args, **kwargs)

    client = _client()
    with mock.patch.object(decoded_store, "_stream_text", failing):
        response = client.post("/v1/batch", {"batch": batch}, format="json")
    if is_postgresql():
        # the database went away mid-COPY: 503 with Retry-After (core.middleware), which
        # Segment's clients retry
        assert response.status_code == 503 and response.headers["Retry-After"]
    else:
        assert not calls and response.status_code == 200  # SQLite: the general path
        UsageEvent.objects.all().delete()
    assert not UsageEvent.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/v1/batch", {"batch": batch}, format="json").status_code == 200
    assert UsageEvent.objects.count() == len(batch)


@pytest.mark.skipif(not is_postgresql(), reason="concurrent writers: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_batch_store_it_once():
    acme = Account.objects.create(external_id="acme", name="Acme")
    Contact.objects.create(external_id="u1", account=acme)
    Contact.objects.create(external_id="u3", account=acme)
    batch = [dict(EVENTS[n % 40], messageId=f"c-{n}") for n in range(600)]
    clients = [_client() for _ in range(3)]
    barrier = threading.Barrier(len(clients))
    codes = []

    def deliver(client):
        try:
            barrier.wait()
            codes.append(client.post("/v1/batch", {"batch": batch}, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [200] * len(clients)
    assert UsageEvent.objects.count() == len(batch)
    assert UsageEvent.objects.values("message_id").distinct().count() == len(batch)


@pytest.mark.skipif(not is_postgresql(), reason="the id cache: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_streamed_batch_reads_the_id_token_with_the_key_and_nothing_per_message():
    from django.test.utils import CaptureQueriesContext

    acme = Account.objects.create(external_id="acme", name="Acme")
    Contact.objects.create(external_id="u1", account=acme)
    Contact.objects.create(external_id="u3", account=acme)
    client = _client()
    assert client.post("/v1/batch", {"batch": EVENTS[:20]}, format="json").status_code == 200  # fills the cache
    stored_at = []
    real_after = decoded_store._after

    def after(written):
        stored_at.append(len(queries.captured_queries))  # the COPY is done (psycopg's copy is not captured)
        real_after(written)  # the embedded mode runs the after-commit work inline from here

    with CaptureQueriesContext(connection) as queries, mock.patch.object(decoded_store, "_after", after):
        assert client.post("/v1/batch", {"batch": EVENTS[20:]}, format="json").status_code == 200
    request = [q["sql"] for q in queries.captured_queries[: stored_at[0]]]
    assert sum("accounts_idgeneration" in s for s in request) == 1  # in the API-key lookup
    assert not any("accounts_account" in s or "accounts_contact" in s for s in request), request  # cached ids
    assert UsageEvent.objects.count() == len(EVENTS)
