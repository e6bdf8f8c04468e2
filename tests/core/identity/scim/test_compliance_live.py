"""SCIM against a live server, from real SCIM clients: python-scim's compliance checker
(scim2-tester) over every resource type, then scim2-client walking the lifecycle Okta drives
(create, find by filter, update, deactivate, reactivate, group membership moves the role, delete).
No fake in between: HTTP to pytest-django's live server on loopback."""

import httpx2
import pytest
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_models import Email, Group, GroupMember, Name, PatchOp, PatchOperation, User
from scim2_tester import Status, check_server

from core.choices import APIKeyScope
from core.models import User as PulseUser
from core.services import api_key_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client(live_server, settings):
    settings.PULSE_SSO_GROUP_ROLES = {"cs-admins": "admin", "cs-team": "csm"}
    settings.PULSE_SSO_DEFAULT_ROLE = ""
    _, raw = api_key_create(name="okta", scope=APIKeyScope.SCIM)
    http = httpx2.Client(base_url=f"{live_server.url}/scim/v2", headers={"Authorization": f"Bearer {raw}"}, timeout=30)
    scim = SyncSCIMClient(http)
    scim.discover()
    yield scim
    http.close()


def test_scim2_tester_finds_no_error(client):
    # when
    results = check_server(client)
    # then
    failures = [f"{r.title}: {r.reason}" for r in results if r.status in (Status.ERROR, Status.CRITICAL)]
    assert results
    assert not failures, "\n".join(failures)


def test_okta_lifecycle_with_scim2_client(client):
    # create
    created = client.create(
        User(
            user_name="omar@example.com",
            external_id="00u-omar",
            name=Name(given_name="Omar", family_name="Said"),
            emails=[Email(value="omar@example.com", type="work", primary=True)],
            active=True,
        )
    )
    assert created.id
    # find by filter, as Okta does before pushing a user
    found = client.query(User, query_parameters={"filter": 'userName eq "omar@example.com"'})
    assert found.total_results == 1 and found.resources[0].id == created.id
    # update
    created.name.given_name = "Omar K."
    replaced = client.replace(created)
    assert replaced.name.given_name == "Omar K."
    # deactivate, reactivate
    off = PatchOp[User](operations=[PatchOperation(op="replace", path="active", value=False)])
    assert client.modify(User, created.id, off).active is False
    assert not PulseUser.objects.get(username="omar@example.com").is_active
    on = PatchOp[User](operations=[PatchOperation(op="replace", path="active", value=True)])
    assert client.modify(User, created.id, on).active is True
    # a group push: membership in the mapped group makes the person an admin, removal drops it
    group = client.create(Group(display_name="cs-admins", members=[GroupMember(value=created.id)]))
    assert PulseUser.objects.get(username="omar@example.com").role == "admin"
    remove = PatchOp[Group](operations=[PatchOperation(op="remove", path=f'members[value eq "{created.id}"]')])
    client.modify(Group, group.id, remove)
    assert PulseUser.objects.get(username="omar@example.com").role == "readonly"
    # delete: deactivated, history kept, gone from SCIM
    client.delete(User, created.id)
    person = PulseUser.objects.get(username="omar@example.com")
    assert not person.is_active
    assert client.query(User, query_parameters={"filter": 'userName eq "omar@example.com"'}).total_results == 0
