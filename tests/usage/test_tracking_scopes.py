"""What an ingest-only key may change through the Segment endpoints (issue 15, item 17): it
creates what is unknown and leaves existing records' identity alone; a write key keeps the
full upsert (docs/api.md "What an ingest key may change")."""

import base64

import pytest
from rest_framework.test import APIClient

from accounts.models import Account, Contact
from core.choices import APIKeyScope
from core.services import api_key_create
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def _client(scope: str) -> APIClient:
    raw = api_key_create(name=f"segment-{scope}", scope=scope)[1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"{raw}:".encode()).decode())
    return client


@pytest.fixture
def acme():
    return AccountFactory(external_id="acme", name="Acme Corp", domain="acme.com", industry="Retail")


def test_ingest_key_group_does_not_rename_an_existing_account(acme):
    # when
    response = _client(APIKeyScope.INGEST).post(
        "/v1/group",
        {"groupId": "acme", "traits": {"name": "Pwned Inc", "website": "evil.test", "industry": "Crime"}},
        format="json",
    )
    # then: accepted (a Segment client drops 4xx), and nothing about the account's identity moved
    assert response.status_code == 200
    acme.refresh_from_db()
    assert (acme.name, acme.domain, acme.industry) == ("Acme Corp", "acme.com", "Retail")


def test_ingest_key_group_creates_an_unknown_account_with_its_traits(db):
    response = _client(APIKeyScope.INGEST).post(
        "/v1/group", {"groupId": "beta", "traits": {"name": "Beta", "website": "beta.test"}}, format="json"
    )
    assert response.status_code == 200
    beta = Account.objects.get(external_id="beta")
    assert (beta.name, beta.domain) == ("Beta", "beta.test")


def test_ingest_key_names_an_account_a_track_call_created(db):
    """A track call creates an account named by its external id; the first group call names it."""
    client = _client(APIKeyScope.INGEST)
    client.post("/v1/track", {"userId": "u1", "event": "Login", "context": {"groupId": "gamma"}}, format="json")
    assert Account.objects.get(external_id="gamma").name == "gamma"
    client.post("/v1/group", {"groupId": "gamma", "traits": {"name": "Gamma Ltd", "industry": "Media"}}, format="json")
    gamma = Account.objects.get(external_id="gamma")
    assert (gamma.name, gamma.industry) == ("Gamma Ltd", "Media")
    client.post("/v1/group", {"groupId": "gamma", "traits": {"name": "Renamed"}}, format="json")
    assert Account.objects.get(external_id="gamma").name == "Gamma Ltd"


def test_ingest_key_identify_and_group_do_not_move_a_contact(acme):
    other = AccountFactory(external_id="other")
    ContactFactory(external_id="ann", account=acme, email="ann@acme.com", name="Ann")
    client = _client(APIKeyScope.INGEST)
    # when: identify names another account and another e-mail; group names another account
    identify = {"userId": "ann", "traits": {"email": "ann@evil.test", "name": "Ann B"}, "context": {"groupId": "other"}}
    assert client.post("/v1/identify", identify, format="json").status_code == 200
    assert client.post("/v1/group", {"userId": "ann", "groupId": "other"}, format="json").status_code == 200
    # then: the contact stays where it was, with its e-mail; descriptive traits still update
    ann = Contact.objects.get(external_id="ann")
    assert (ann.account_id, ann.email, ann.name) == (acme.pk, "ann@acme.com", "Ann B")
    assert not other.contacts.exists()


def test_ingest_key_identify_creates_an_unknown_contact_in_its_account(acme):
    client = _client(APIKeyScope.INGEST)
    identify = {"userId": "bob", "traits": {"email": "bob@acme.com"}, "context": {"groupId": "acme"}}
    assert client.post("/v1/identify", identify, format="json").status_code == 200
    bob = Contact.objects.get(external_id="bob")
    assert (bob.account_id, bob.email) == (acme.pk, "bob@acme.com")


def test_ingest_key_fills_an_empty_email_and_attaches_a_contact_without_account(acme):
    ContactFactory(external_id="cid", account=None, email="")
    client = _client(APIKeyScope.INGEST)
    identify = {"userId": "cid", "traits": {"email": "cid@acme.com"}, "context": {"groupId": "acme"}}
    assert client.post("/v1/identify", identify, format="json").status_code == 200
    cid = Contact.objects.get(external_id="cid")
    assert (cid.account_id, cid.email) == (acme.pk, "cid@acme.com")


def test_write_key_keeps_the_full_upsert(acme):
    ContactFactory(external_id="ann", account=acme, email="ann@acme.com")
    other = AccountFactory(external_id="other")
    client = _client(APIKeyScope.WRITE)
    client.post("/v1/group", {"groupId": "acme", "traits": {"name": "Acme 2", "website": "acme2.com"}}, format="json")
    identify = {"userId": "ann", "traits": {"email": "ann@other.com"}, "context": {"groupId": "other"}}
    client.post("/v1/identify", identify, format="json")
    acme.refresh_from_db()
    ann = Contact.objects.get(external_id="ann")
    assert (acme.name, acme.domain) == ("Acme 2", "acme2.com")
    assert (ann.account_id, ann.email) == (other.pk, "ann@other.com")
