"""/api/v1/views/: CRUD with the permission rules, errors naming the condition, and the
accounts of a view; machine keys read shared views only."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.models import SavedView
from tests.factories import AccountFactory, CustomFieldDefinitionFactory, SavedViewFactory, UserFactory

pytestmark = pytest.mark.django_db

DEFINITION = {
    "match": "all",
    "groups": [{"match": "any", "conditions": [{"field": "tier", "op": "in", "value": ["key"]}]}],
}


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_create_list_accounts_update_delete():
    # given
    user = UserFactory(role="csm")
    CustomFieldDefinitionFactory(key="seats", field_type="number")
    AccountFactory(name="Big key", tier="key", mrr=Decimal("5000"), custom_fields={"seats": 300})
    AccountFactory(name="Small key", tier="key", mrr=Decimal("50"), custom_fields={"seats": 3})
    AccountFactory(name="Std", tier="standard")
    client = _client(user)
    body = {
        "name": "Key accounts with seats",
        "shared": True,
        "definition": {
            "match": "all",
            "groups": [
                {"conditions": [{"field": "tier", "op": "in", "value": ["key"]}]},
                {"conditions": [{"field": "cf.seats", "op": "gte", "value": 100}]},
            ],
        },
    }
    # when
    response = client.post("/api/v1/views/", body, format="json")
    # then
    assert response.status_code == 201, response.json()
    view_id = response.json()["id"]
    assert response.json()["owner"] == user.username
    assert response.json()["can_edit"] is True
    accounts = client.get(f"/api/v1/views/{view_id}/accounts/").json()
    assert [a["name"] for a in accounts["results"]] == ["Big key"]
    assert client.get("/api/v1/views/").json()["results"][0]["id"] == view_id
    response = client.patch(f"/api/v1/views/{view_id}/", {"name": "Renamed"}, format="json")
    assert response.status_code == 200 and response.json()["name"] == "Renamed"
    assert client.delete(f"/api/v1/views/{view_id}/").status_code == 204
    assert not SavedView.objects.exists()


def test_bad_definition_is_400_naming_the_condition():
    client = _client(UserFactory())
    body = {"name": "x", "definition": {"conditions": [{"field": "arr", "op": "gte", "value": "lots"}]}}
    response = client.post("/api/v1/views/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "definition.groups.0.conditions.0.value", "reason": "must be a number"}
    ]
    response = client.post("/api/v1/views/", {"definition": DEFINITION}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "name"


def test_private_views_are_hidden_and_others_cannot_change_shared_ones():
    owner, other = UserFactory(role="csm"), UserFactory(role="csm")
    private = SavedViewFactory(owner=owner, definition=DEFINITION)
    shared = SavedViewFactory(owner=owner, shared=True, definition=DEFINITION)
    client = _client(other)
    assert [v["id"] for v in client.get("/api/v1/views/").json()["results"]] == [shared.pk]
    assert client.get(f"/api/v1/views/{private.pk}/").status_code == 404
    assert client.get(f"/api/v1/views/{private.pk}/accounts/").status_code == 404
    assert client.patch(f"/api/v1/views/{shared.pk}/", {"name": "mine"}, format="json").status_code == 403
    assert client.delete(f"/api/v1/views/{shared.pk}/").status_code == 403


def test_readonly_user_saves_private_views_only():
    client = _client(UserFactory(role="readonly"))
    assert client.post("/api/v1/views/", {"name": "Mine", "definition": DEFINITION}, format="json").status_code == 201
    response = client.post("/api/v1/views/", {"name": "Team", "shared": True, "definition": DEFINITION}, format="json")
    assert response.status_code == 403


def test_machine_keys_read_shared_views_and_write_none(api_read, api_write):
    owner = UserFactory()
    SavedViewFactory(owner=owner, definition=DEFINITION)
    shared = SavedViewFactory(owner=owner, shared=True, definition=DEFINITION)
    AccountFactory(tier="key")
    assert [v["id"] for v in api_read.get("/api/v1/views/").json()["results"]] == [shared.pk]
    assert len(api_read.get(f"/api/v1/views/{shared.pk}/accounts/").json()["results"]) == 1
    response = api_write.post("/api/v1/views/", {"name": "x", "definition": DEFINITION}, format="json")
    assert response.status_code == 403
