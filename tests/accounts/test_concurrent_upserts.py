"""Two writers creating the same new external id at the same moment both succeed (issue 15,
item 18): the REST upsert retries in a savepoint and updates what the other request created;
Segment group / identify take a savepoint and re-read, track's bulk creates are ON CONFLICT DO
NOTHING. Deterministic: the first read is made blind (as if the other request had not committed
yet). Threaded: two PostgreSQL connections held at a barrier between their read and their INSERT."""

import base64
import threading

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from accounts import records
from accounts.models import Account, Contact
from core.choices import APIKeyScope
from core.services import api_key_create
from tests.factories import AccountFactory, ContactFactory
from usage import tracking
from usage.models import UsageEvent


def _clients(scope=APIKeyScope.WRITE):
    raw = api_key_create(name="concurrent", scope=scope)[1]
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    basic = APIClient()
    basic.credentials(HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"{raw}:".encode()).decode())
    return bearer, basic


def blind_once(monkeypatch, module, name, empty):
    """The first call of module.name answers `empty`: the row exists but this request read too early."""
    original = getattr(module, name)
    calls = []

    def wrapper(*args, **kwargs):
        calls.append(1)
        return empty if len(calls) == 1 else original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


# Section: deterministic (SQLite and PostgreSQL)


@pytest.mark.django_db
def test_rest_upsert_that_loses_the_race_updates_the_winners_record(monkeypatch):
    # given: "acme" was created by another request after this one read the table
    bearer, _ = _clients()
    AccountFactory(external_id="acme", name="Acme")
    calls = blind_once(monkeypatch, records, "_by_external_id", {})
    # when
    response = bearer.post("/api/v1/accounts/", {"external_id": "acme", "name": "Acme Corp"}, format="json")
    # then: the INSERT conflicted, the retry read the row and updated it
    assert response.status_code == 200, response.content
    assert len(calls) == 2
    assert Account.objects.get(external_id="acme").name == "Acme Corp"


@pytest.mark.django_db
def test_rest_upsert_of_a_list_retries_as_a_whole(monkeypatch):
    bearer, _ = _clients()
    ContactFactory(external_id="c1", account=AccountFactory(external_id="acme"), email="old@acme.com")
    blind_once(monkeypatch, records, "_by_external_id", {})
    items = [
        {"external_id": "c1", "account": "acme", "email": "c1@acme.com"},
        {"external_id": "c2", "account": "acme", "email": "c2@acme.com"},
    ]
    response = bearer.post("/api/v1/contacts/", items, format="json")
    assert response.status_code == 200, response.content
    assert {k: response.json()[k] for k in ("created", "updated")} == {"created": 1, "updated": 1}
    assert Contact.objects.get(external_id="c1").email == "c1@acme.com"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["group", "identify"])
def test_segment_group_and_identify_that_lose_the_race_use_the_winners_record(monkeypatch, kind):
    _, basic = _clients()
    acme = AccountFactory(external_id="acme", name="Acme")
    ContactFactory(external_id="u1", account=acme)
    # The batch read its accounts and contacts before another request created them: it finds none,
    # its insert conflicts, and it runs again with the winners' records (usage.tracking_upserts).
    original = tracking.TrackingRecords
    calls = []

    def blind_first(*, account_ids, contact_ids):
        calls.append(1)
        if len(calls) == 1:
            return original(account_ids=set(), contact_ids=set())
        return original(account_ids=account_ids, contact_ids=contact_ids)

    monkeypatch.setattr(tracking, "TrackingRecords", blind_first)
    body = {"groupId": "acme", "traits": {"name": "Acme"}} if kind == "group" else {"userId": "u1"}
    response = basic.post(f"/v1/{kind}", body, format="json")
    assert response.status_code == 200, response.content
    assert Account.objects.filter(external_id="acme").count() == 1
    assert Contact.objects.filter(external_id="u1").count() == 1


@pytest.mark.django_db
def test_segment_track_that_loses_the_race_uses_the_winners_account_and_contact(monkeypatch):
    _, basic = _clients()
    acme = AccountFactory(external_id="acme")
    ContactFactory(external_id="u1", account=acme)
    monkeypatch.setattr(tracking, "_in", _blind_first_two(tracking._in))
    track = {"userId": "u1", "event": "Login", "context": {"groupId": "acme"}}
    response = basic.post("/v1/track", track, format="json")
    assert response.status_code == 200, response.content
    event = UsageEvent.objects.get()
    assert (event.account_id, event.contact.external_id) == (acme.pk, "u1")


def _blind_first_two(original):
    """track reads contacts, then accounts: both reads come back empty once."""
    calls = []

    def wrapper(model, values, *columns):
        calls.append(model)
        if calls.count(model) == 1:
            return []
        return original(model, values, *columns)

    return wrapper


# Section: two real connections (PostgreSQL)


def _race(monkeypatch, module, name, request):
    """Run request() in two threads held at a barrier right after their first `name` read."""
    barrier = threading.Barrier(2, timeout=20)
    original = getattr(module, name)
    local = threading.local()

    def wrapper(*args, **kwargs):
        result = original(*args, **kwargs)
        if not getattr(local, "waited", False):
            local.waited = True
            barrier.wait()
        return result

    monkeypatch.setattr(module, name, wrapper)
    results, errors = [], []

    def worker():
        try:
            results.append(request())
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results, errors


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("module", "name", "path", "body"),
    [
        (records, "_by_external_id", "/api/v1/accounts/", {"external_id": "new-1", "name": "New"}),
        (tracking, "TrackingRecords", "/v1/group", {"groupId": "new-1", "traits": {"name": "New"}}),
        (tracking, "TrackingRecords", "/v1/identify", {"userId": "new-1", "traits": {"email": "n@x.com"}}),
        (tracking, "_in", "/v1/track", {"userId": "new-1", "event": "E", "context": {"groupId": "new-1"}}),
    ],
)
def test_two_concurrent_creates_of_the_same_new_id_both_succeed(monkeypatch, module, name, path, body):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    bearer, basic = _clients()
    client_for = bearer if path.startswith("/api/") else basic

    def request():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=client_for._credentials["HTTP_AUTHORIZATION"])
        return client.post(path, body, format="json")

    results, errors = _race(monkeypatch, module, name, request)
    assert errors == []
    assert sorted(r.status_code for r in results)[0] in (200, 201)
    assert all(r.status_code in (200, 201) for r in results), [r.content for r in results]
    if path != "/v1/identify":
        assert Account.objects.filter(external_id="new-1").count() == 1


@pytest.mark.django_db
def test_update_of_a_record_deleted_meanwhile_is_a_404(monkeypatch):
    """PATCH read the ticket, then another request deleted it before the UPDATE (schemathesis
    found this with two workers: Django's NotUpdated was a 500)."""
    from accounts.models import SupportTicket
    from tests.factories import SupportTicketFactory

    bearer, _ = _clients()
    SupportTicketFactory(account=AccountFactory(external_id="acme"), external_id="T-1", subject="Old")
    original = records.record_update

    def deleted_first(*, instance, values, **kwargs):
        SupportTicket.objects.filter(pk=instance.pk).delete()
        return original(instance=instance, values=values, **kwargs)

    monkeypatch.setattr(records, "record_update", deleted_first)
    response = bearer.patch("/api/v1/tickets/T-1/", {"subject": "New"}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
