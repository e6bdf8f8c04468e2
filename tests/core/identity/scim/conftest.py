import json

import pytest
from django.test import Client

from core.choices import APIKeyScope
from core.services import api_key_create

SCIM = "application/scim+json"


class ScimClient:
    """A Django test client that enforces CSRF (a bearer-token API must not need a CSRF token) and
    speaks application/scim+json."""

    def __init__(self, raw_key: str):
        self.client = Client(enforce_csrf_checks=True)
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw_key}"}

    def _send(self, method: str, path: str, body=None, **extra):
        data = json.dumps(body) if body is not None else ""
        call = getattr(self.client, method)
        return call(path, data=data, content_type=SCIM, **self.headers, **extra)

    def get(self, path: str, params=None):
        return self.client.get(path, params or {}, **self.headers)

    def post(self, path, body, **extra):
        return self._send("post", path, body, **extra)

    def put(self, path, body):
        return self._send("put", path, body)

    def patch(self, path, body):
        return self._send("patch", path, body)

    def delete(self, path):
        return self.client.delete(path, **self.headers)


@pytest.fixture
def scim_key(db):
    return api_key_create(name="okta", scope=APIKeyScope.SCIM)


@pytest.fixture
def scim(scim_key) -> ScimClient:
    return ScimClient(scim_key[1])


@pytest.fixture(autouse=True)
def _group_roles(settings):
    settings.PULSE_SSO_GROUP_ROLES = {"cs-admins": "admin", "cs-team": "csm"}
    settings.PULSE_SSO_DEFAULT_ROLE = ""


def user_payload(user_name="rana@example.com", **extra):
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "name": {"givenName": "Rana", "familyName": "Haddad"},
        "emails": [{"value": user_name, "type": "work", "primary": True}],
        "active": True,
    }
    body.update(extra)
    return body
