"""SCIM Users: what Okta and Microsoft Entra ID send (RFC 7644 §3 and the vendors' documented
request shapes)."""

import pytest

from core.audit.models import AuditEvent
from core.identity.models import ExternalIdentity
from core.models import User

from .conftest import SCIM, user_payload

pytestmark = pytest.mark.django_db

USERS = "/scim/v2/Users"


def test_create_then_get_and_filter_by_user_name(scim):
    # when
    created = scim.post(USERS, user_payload(externalId="00u1okta"))
    # then
    assert created.status_code == 201, created.content
    assert created["Content-Type"] == SCIM
    body = created.json()
    assert body["userName"] == "rana@example.com"
    assert body["active"] is True
    assert created["Location"].endswith(f"/scim/v2/Users/{body['id']}")
    user = User.objects.get(username="rana@example.com")
    assert (user.first_name, user.last_name, user.email, user.role) == (
        "Rana",
        "Haddad",
        "rana@example.com",
        "readonly",
    )
    assert ExternalIdentity.objects.get(provider="scim", user=user).subject == body["id"]
    found = scim.get(USERS, {"filter": 'userName eq "RANA@example.com"'}).json()
    assert found["totalResults"] == 1 and found["Resources"][0]["id"] == body["id"]
    assert scim.get(USERS, {"filter": 'externalId eq "00u1okta"'}).json()["totalResults"] == 1
    assert scim.get(USERS, {"filter": 'userName eq "nobody@example.com"'}).json()["totalResults"] == 0
    assert scim.get(f"{USERS}/{body['id']}").json()["emails"][0]["value"] == "rana@example.com"


def test_duplicate_user_name_is_409_uniqueness(scim):
    scim.post(USERS, user_payload())
    again = scim.post(USERS, user_payload())
    assert again.status_code == 409
    error = again.json()
    assert error["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert error["scimType"] == "uniqueness" and error["status"] == "409"


def test_a_user_invited_before_is_adopted_not_duplicated(scim, django_user_model):
    invited = django_user_model.objects.create(username="rana@example.com", email="rana@example.com", role="csm")
    created = scim.post(USERS, user_payload())
    assert created.status_code == 201
    assert ExternalIdentity.objects.get(provider="scim").user == invited
    assert django_user_model.objects.count() == 1


@pytest.mark.parametrize(
    "body, scim_type",
    [
        ({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]}, None),
        (user_payload(user_name="has space"), "invalidValue"),
        (user_payload(active="maybe"), None),
        (["not", "an", "object"], "invalidSyntax"),
    ],
)
def test_bad_input_is_400_with_reason(scim, body, scim_type):
    answer = scim.post(USERS, body)
    assert answer.status_code == 400, answer.content
    error = answer.json()
    assert error["detail"]
    if scim_type:
        assert error["scimType"] == scim_type


def test_not_json_is_400_invalid_syntax(scim):
    answer = scim.client.post(USERS, data="{nope", content_type=SCIM, **scim.headers)
    assert answer.status_code == 400 and answer.json()["scimType"] == "invalidSyntax"


def test_bad_filter_is_400_invalid_filter(scim):
    for expression in ['title eq "x"', "userName eq", 'userName zz "x"']:
        answer = scim.get(USERS, {"filter": expression})
        assert answer.status_code == 400, expression
        assert answer.json()["scimType"] == "invalidFilter"


def test_pagination_start_index_and_count(scim):
    for n in range(5):
        scim.post(USERS, user_payload(user_name=f"u{n}@example.com"))
    page = scim.get(USERS, {"startIndex": 2, "count": 2}).json()
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (5, 2, 2)
    assert [r["userName"] for r in page["Resources"]] == ["u1@example.com", "u2@example.com"]
    assert scim.get(USERS, {"count": 0}).json()["itemsPerPage"] == 0
    assert scim.get(USERS, {"count": "x"}).status_code == 400


def test_entra_patch_shapes(scim):
    """Entra ID: capitalised ops, "False" as a string, a path-less value object with dotted keys, and
    a value filter on emails."""
    user_id = scim.post(USERS, user_payload()).json()["id"]
    answer = scim.patch(
        f"{USERS}/{user_id}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "rana.h@example.com"},
                {"op": "Replace", "value": {"name.givenName": "Rania", "name.familyName": "Haddad-Z"}},
                {
                    "op": "Add",
                    "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                    "value": "CS",
                },
                {"op": "Replace", "path": "active", "value": "False"},
            ],
        },
    )
    assert answer.status_code == 200, answer.content
    user = User.objects.get(username="rana@example.com")
    assert (user.email, user.first_name, user.last_name, user.is_active) == (
        "rana.h@example.com",
        "Rania",
        "Haddad-Z",
        False,
    )
    assert answer.json()["active"] is False


def test_okta_deactivate_and_reactivate(scim):
    user_id = scim.post(USERS, user_payload()).json()["id"]
    off = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": False}}],
    }
    assert scim.patch(f"{USERS}/{user_id}", off).json()["active"] is False
    assert not User.objects.get().is_active
    on = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": True}],
    }
    assert scim.patch(f"{USERS}/{user_id}", on).json()["active"] is True
    assert User.objects.get().is_active


def test_put_replaces_and_renames(scim):
    user_id = scim.post(USERS, user_payload()).json()["id"]
    answer = scim.put(
        f"{USERS}/{user_id}", user_payload(user_name="rana.h@example.com", name={"givenName": "R", "familyName": "H"})
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["userName"] == "rana.h@example.com"
    assert User.objects.get().username == "rana.h@example.com"


def test_put_onto_another_users_name_is_409(scim):
    scim.post(USERS, user_payload(user_name="a@example.com"))
    second = scim.post(USERS, user_payload(user_name="b@example.com")).json()["id"]
    answer = scim.put(f"{USERS}/{second}", user_payload(user_name="a@example.com"))
    assert answer.status_code == 409 and answer.json()["scimType"] == "uniqueness"


def test_delete_deactivates_and_keeps_history(scim):
    user_id = scim.post(USERS, user_payload()).json()["id"]
    answer = scim.delete(f"{USERS}/{user_id}")
    assert answer.status_code == 204
    user = User.objects.get()
    assert not user.is_active
    assert scim.get(f"{USERS}/{user_id}").status_code == 404
    assert scim.get(f"{USERS}/{user_id}").json()["status"] == "404"
    # provisioned again: the same Pulse user comes back
    again = scim.post(USERS, user_payload())
    assert again.status_code == 201 and User.objects.get().is_active


def test_unknown_id_is_404_scim_error(scim):
    for method in ("get", "delete"):
        answer = getattr(scim, method)(f"{USERS}/nope")
        assert answer.status_code == 404
        assert answer.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]


def test_changes_are_audited_with_the_scim_key_as_actor(scim):
    user_id = scim.post(USERS, user_payload()).json()["id"]
    scim.patch(
        f"{USERS}/{user_id}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "active", "value": False}],
        },
    )
    rows = AuditEvent.objects.filter(object_type="core.user").order_by("at", "pk")
    assert [r.action for r in rows][:1] == ["create"]
    assert any(r.changes.get("is_active") == [True, False] for r in rows)
    assert {r.actor_label for r in rows} == {"api-key:okta"}


def test_hostile_input_is_400_never_500(scim):
    """Deep nesting, NUL characters (PostgreSQL stores none) in a body, an id or a filter."""
    deep = '{"userName": "deep@example.com", "x": ' + '{"x": ' * 5000 + "{}" + "}" * 5001
    answer = scim.client.post(USERS, data=deep, content_type=SCIM, **scim.headers)
    assert answer.status_code == 400 and answer.json()["scimType"] == "invalidSyntax"
    assert scim.post(USERS, user_payload(title="a\u0000b")).status_code == 400
    assert scim.get(f"{USERS}/a%00b").status_code == 400
    assert scim.get(USERS, {"filter": 'userName eq "a\u0000b"'}).status_code == 400
    assert scim.get(USERS, {"startIndex": "-5", "count": "999999"}).status_code == 200
