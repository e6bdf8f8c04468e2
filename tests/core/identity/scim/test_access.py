"""Who gets into /scim/v2/: only a machine key with the SCIM scope; and a SCIM key opens nothing
else. A person SCIM deactivated can no longer sign in, by password or with a session they had."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from core.choices import APIKeyScope
from core.services import api_key_create

from .conftest import SCIM, user_payload

pytestmark = pytest.mark.django_db


def test_no_or_wrong_key_is_401_scim_error(client):
    answer = client.get("/scim/v2/Users")
    assert answer.status_code == 401
    assert answer["Content-Type"] == SCIM
    assert answer.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert client.get("/scim/v2/Users", HTTP_AUTHORIZATION="Bearer csk_nope").status_code == 401


@pytest.mark.parametrize("scope", [APIKeyScope.READ, APIKeyScope.WRITE, APIKeyScope.INGEST])
def test_other_scopes_are_403(scope):
    _, raw = api_key_create(name="other", scope=scope)
    answer = Client().get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert answer.status_code == 403
    assert answer.json()["status"] == "403"


def test_a_signed_in_admin_session_does_not_open_scim(admin_client):
    assert admin_client.get("/scim/v2/Users").status_code == 401


def test_a_scim_key_opens_nothing_else(scim_key):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {scim_key[1]}")
    assert api.get("/api/v1/accounts/").status_code == 403
    assert api.post("/api/v1/accounts/", {"external_id": "a", "name": "A"}, format="json").status_code == 403
    assert api.post("/v1/track", {"userId": "u", "event": "x"}, format="json").status_code in (401, 403)


def test_discovery(scim):
    config = scim.get("/scim/v2/ServiceProviderConfig").json()
    assert config["patch"]["supported"] is True and config["bulk"]["supported"] is False
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"
    types = scim.get("/scim/v2/ResourceTypes").json()
    assert {t["name"] for t in types["Resources"]} == {"User", "Group"}
    schemas = scim.get("/scim/v2/Schemas").json()
    assert "urn:ietf:params:scim:schemas:core:2.0:User" in {s["id"] for s in schemas["Resources"]}
    assert scim.get("/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group").status_code == 200
    assert scim.get("/scim/v2/Nope").status_code == 404


def _password_login(username: str, password: str) -> Client:
    browser = Client(enforce_csrf_checks=True)
    browser.get("/login/")
    browser.post(
        "/login/",
        {"username": username, "password": password, "csrfmiddlewaretoken": browser.cookies["csrftoken"].value},
    )
    return browser


def test_deactivated_user_cannot_sign_in_by_password_or_session(scim, django_user_model):
    # given: a provisioned person with a password, signed in
    user_id = scim.post("/scim/v2/Users", user_payload()).json()["id"]
    person = django_user_model.objects.get(username="rana@example.com")
    person.set_password("correct horse battery")
    person.save()
    browser = _password_login("rana@example.com", "correct horse battery")
    assert browser.get("/me/").status_code == 200
    # when: the provider deactivates them
    off = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": False}],
    }
    assert scim.patch(f"/scim/v2/Users/{user_id}", off).status_code == 200
    # then: the session they had no longer counts, and the password is refused
    assert browser.get("/me/").status_code == 302
    again = _password_login("rana@example.com", "correct horse battery")
    assert "_auth_user_id" not in again.session
    assert again.get("/me/").status_code == 302
