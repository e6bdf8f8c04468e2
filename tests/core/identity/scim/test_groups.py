"""SCIM Groups: a group's displayName maps to a role (PULSE_SSO_GROUP_ROLES), and membership
changes (Entra's add/remove by value filter, Okta's replace) move the members' roles."""

import pytest

from core.audit.models import AuditEvent
from core.identity.scim.models import ScimGroup
from core.models import User

from .conftest import user_payload

pytestmark = pytest.mark.django_db

GROUPS = "/scim/v2/Groups"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def _user(scim, name):
    return scim.post("/scim/v2/Users", user_payload(user_name=name)).json()["id"]


def _role(name):
    return User.objects.get(username=name).role


def test_group_create_with_members_gives_the_mapped_role(scim):
    rana = _user(scim, "rana@example.com")
    answer = scim.post(
        GROUPS,
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "cs-admins",
            "members": [{"value": rana}],
        },
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["members"][0]["value"] == rana
    assert _role("rana@example.com") == "admin"
    user = scim.get(f"/scim/v2/Users/{rana}").json()
    assert [g["display"] for g in user["groups"]] == ["cs-admins"]


def test_entra_add_and_remove_members_move_roles(scim):
    rana, omar = _user(scim, "rana@example.com"), _user(scim, "omar@example.com")
    group = scim.post(
        GROUPS, {"displayName": "cs-team", "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"]}
    ).json()["id"]
    add = {
        "schemas": [PATCH],
        "Operations": [{"op": "Add", "path": "members", "value": [{"value": rana}, {"value": omar}]}],
    }
    assert scim.patch(f"{GROUPS}/{group}", add).status_code == 200
    assert (_role("rana@example.com"), _role("omar@example.com")) == ("csm", "csm")
    remove = {"schemas": [PATCH], "Operations": [{"op": "Remove", "path": f'members[value eq "{omar}"]'}]}
    answer = scim.patch(f"{GROUPS}/{group}", remove)
    assert [m["value"] for m in answer.json()["members"]] == [rana]
    assert (_role("rana@example.com"), _role("omar@example.com")) == ("csm", "readonly")
    rows = AuditEvent.objects.filter(object_type="core.scimgroup", action="update")
    assert any(
        r.changes.get("members") == [["omar@example.com", "rana@example.com"], ["rana@example.com"]] for r in rows
    )


def test_okta_replace_members_and_rename(scim):
    rana, omar = _user(scim, "rana@example.com"), _user(scim, "omar@example.com")
    group = scim.post(
        GROUPS,
        {
            "displayName": "cs-team",
            "members": [{"value": rana}],
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        },
    ).json()["id"]
    replace = {
        "schemas": [PATCH],
        "Operations": [
            {"op": "replace", "value": {"id": group, "displayName": "cs-admins"}},
            {"op": "replace", "path": "members", "value": [{"value": omar}]},
        ],
    }
    answer = scim.patch(f"{GROUPS}/{group}", replace)
    assert answer.status_code == 200, answer.content
    assert (_role("rana@example.com"), _role("omar@example.com")) == ("readonly", "admin")
    assert ScimGroup.objects.get().display_name == "cs-admins"


def test_highest_role_wins_and_delete_group_drops_it(scim):
    rana = _user(scim, "rana@example.com")
    scim.post(
        GROUPS,
        {
            "displayName": "cs-team",
            "members": [{"value": rana}],
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        },
    )
    admins = scim.post(
        GROUPS,
        {
            "displayName": "cs-admins",
            "members": [{"value": rana}],
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        },
    ).json()["id"]
    assert _role("rana@example.com") == "admin"
    assert scim.delete(f"{GROUPS}/{admins}").status_code == 204
    assert _role("rana@example.com") == "csm"


def test_group_errors(scim):
    scim.post(GROUPS, {"displayName": "cs-team", "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"]})
    dup = scim.post(GROUPS, {"displayName": "CS-Team", "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"]})
    assert dup.status_code == 409 and dup.json()["scimType"] == "uniqueness"
    unknown = scim.post(
        GROUPS,
        {
            "displayName": "x",
            "members": [{"value": "nobody"}],
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        },
    )
    assert unknown.status_code == 400 and unknown.json()["scimType"] == "invalidValue"
    assert scim.get(f"{GROUPS}/not-a-uuid").status_code == 404
    found = scim.get(GROUPS, {"filter": 'displayName eq "cs-team"'}).json()
    assert found["totalResults"] == 1


def test_entra_group_lookup_excludes_members(scim):
    """Entra looks a group up by name with `excludedAttributes=members` before it creates it."""
    rana = _user(scim, "rana@example.com")
    scim.post(
        GROUPS,
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "cs-team",
            "members": [{"value": rana}],
        },
    )
    found = scim.get(GROUPS, {"filter": 'displayName eq "cs-team"', "excludedAttributes": "members"}).json()
    assert found["totalResults"] == 1
    assert "members" not in found["Resources"][0] and found["Resources"][0]["displayName"] == "cs-team"
    users = scim.get("/scim/v2/Users", {"attributes": "userName"}).json()
    assert users["Resources"][0]["userName"] == "rana@example.com" and "emails" not in users["Resources"][0]
