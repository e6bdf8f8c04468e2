"""The account write policy (accounts.access) as a matrix: role × the user's relation to the
account (own, on its team, a report's, nobody's of theirs) × where the write comes from (the
account page, an htmx action of a floor above, the API with a session, the API with a personal
token), and the read scope setting on the portfolio export and the API."""

import csv
import io

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.access import (
    account_can_read,
    account_can_write,
    accounts_readable,
    accounts_writable,
    book_user_ids,
)
from accounts.choices import TeamRole
from accounts.models import Account, AccountTeamMember, Activity
from core.choices import APIKeyScope, Role
from core.services import api_key_create, api_token_create
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = [Role.READONLY, Role.CSM, Role.MANAGER, Role.ADMIN]
RELATIONS = ["own", "team", "report", "other"]
CHANNELS = ["page", "htmx_action", "api_session", "api_token"]

# (role, relation) -> may write
ALLOWED = {
    (Role.ADMIN, "own"): True,
    (Role.ADMIN, "team"): True,
    (Role.ADMIN, "report"): True,
    (Role.ADMIN, "other"): True,
    (Role.MANAGER, "own"): True,
    (Role.MANAGER, "team"): True,
    (Role.MANAGER, "report"): True,
    (Role.MANAGER, "other"): False,
    (Role.CSM, "own"): True,
    (Role.CSM, "team"): True,
    (Role.CSM, "report"): False,
    (Role.CSM, "other"): False,
}


def _account_for(user, relation: str) -> Account:
    if relation == "own":
        return AccountFactory(owner=user)
    if relation == "team":
        account = AccountFactory(owner=UserFactory(role=Role.CSM))
        AccountTeamMember.objects.create(account=account, user=user, role=TeamRole.EXECUTIVE_SPONSOR)
        return account
    if relation == "report":
        report = UserFactory(role=Role.CSM, manager=user)
        return AccountFactory(owner=UserFactory(role=Role.CSM, manager=report))  # two levels down
    return AccountFactory(owner=UserFactory(role=Role.CSM))


def _write(client, channel: str, user, account):
    if channel == "page":
        client.get(reverse("accounts:detail", args=[account.pk]))
        return client.post(
            reverse("accounts:detail", args=[account.pk]), {"kind": "note", "body": "hello"}, HTTP_HX_REQUEST="true"
        )
    if channel == "htmx_action":  # the health card's sentiment action (health, a floor above)
        client.get(reverse("accounts:detail", args=[account.pk]))
        return client.post(
            reverse("health:account_action", args=[account.pk, "sentiment"]),
            {"value": "3", "note": "fine"},
            HTTP_HX_REQUEST="true",
        )
    api = APIClient()
    if channel == "api_session":
        api.force_login(user)
    else:
        _, raw = api_token_create(user=user)
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api.post(
        "/api/v1/activities/", {"account": account.external_id, "kind": "note", "subject": "hi"}, format="json"
    )


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("role", ROLES)
def test_write_matrix(client, role, relation, channel):
    # given
    user = UserFactory(role=role)
    account = _account_for(user, relation)
    client.force_login(user)
    allowed = ALLOWED.get((role, relation), False)
    # when
    response = _write(client, channel, user, account)
    # then
    assert account_can_write(user, account) == allowed
    assert accounts_writable(user, Account.objects.filter(pk=account.pk)).exists() == allowed
    if allowed:
        assert response.status_code in (200, 201), response.content[:300]
    else:
        assert response.status_code == 403
        if channel.startswith("api"):
            assert response.json()["code"] in ("permission_denied", "not_authenticated")
        if channel != "htmx_action":
            assert not Activity.objects.filter(account=account).exists()


def test_denied_write_says_why(client, csm_user):
    account = AccountFactory(name="Globex")
    client.force_login(csm_user)
    client.get(reverse("accounts:detail", args=[account.pk]))
    response = client.post(reverse("accounts:detail", args=[account.pk]), {"kind": "note", "body": "x"})
    assert response.status_code == 403
    assert "not in your book" in response.content.decode()
    api = APIClient()
    api.force_login(csm_user)
    body = api.patch(f"/api/v1/accounts/{account.external_id}/", {"segment": "X"}, format="json")
    assert body.status_code == 403 and "Globex" in body.json()["message"]


def test_account_page_hides_the_note_form_outside_the_book(client, csm_user):
    mine, theirs = AccountFactory(owner=csm_user), AccountFactory()
    client.force_login(csm_user)
    assert "Add to timeline" in client.get(reverse("accounts:detail", args=[mine.pk])).content.decode()
    assert "Add to timeline" not in client.get(reverse("accounts:detail", args=[theirs.pk])).content.decode()


def test_api_bulk_write_is_all_or_nothing_on_the_book(csm_user):
    mine, theirs = AccountFactory(owner=csm_user), AccountFactory()
    api = APIClient()
    api.force_login(csm_user)
    items = [
        {"account": mine.external_id, "subject": "ok"},
        {"account": theirs.external_id, "subject": "no"},
    ]
    response = api.post("/api/v1/activities/", items, format="json")
    assert response.status_code == 403
    assert response.json()["errors"] == [{"index": 1, "field": "account", "reason": "not in your book"}]
    assert not Activity.objects.exists()


def test_api_account_upsert_by_a_csm_checks_existing_accounts(csm_user):
    theirs = AccountFactory(external_id="acme")
    api = APIClient()
    api.force_login(csm_user)
    denied = api.post("/api/v1/accounts/", {"external_id": "acme", "name": "Acme 2"}, format="json")
    assert denied.status_code == 403
    theirs.refresh_from_db()
    assert theirs.name != "Acme 2"


def test_machine_keys_keep_their_scopes(db):
    account = AccountFactory()
    for scope, expected in ((APIKeyScope.WRITE, 200), (APIKeyScope.READ, 403)):
        _, raw = api_key_create(name=scope, scope=scope)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        response = api.patch(f"/api/v1/accounts/{account.external_id}/", {"segment": scope}, format="json")
        assert response.status_code == expected


def test_a_personal_token_acts_as_its_user_and_dies_with_them(csm_user):
    mine = AccountFactory(owner=csm_user)
    _, raw = api_token_create(user=csm_user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.patch(f"/api/v1/accounts/{mine.external_id}/", {"segment": "Mid"}, format="json").status_code == 200
    csm_user.is_active = False
    csm_user.save(update_fields=["is_active"])
    assert api.get("/api/v1/accounts/").status_code == 401


def test_owner_and_team_filters(csm_user):
    owned = AccountFactory(owner=csm_user)
    on_team = AccountFactory()
    AccountTeamMember.objects.create(account=on_team, user=csm_user, role=TeamRole.SUPPORT_LEAD)
    AccountFactory()
    api = APIClient()
    api.force_login(csm_user)
    by_owner = api.get("/api/v1/accounts/", {"owner": "csm"}).json()["results"]
    by_team = api.get("/api/v1/accounts/", {"team": "csm"}).json()["results"]
    assert [a["external_id"] for a in by_owner] == [owned.external_id]
    assert sorted(a["external_id"] for a in by_team) == sorted([owned.external_id, on_team.external_id])


def test_manager_book_is_transitive_in_one_query(manager_user, django_assert_num_queries):
    lead = UserFactory(role=Role.MANAGER, manager=manager_user)
    csm = UserFactory(role=Role.CSM, manager=lead)
    with django_assert_num_queries(1):
        ids = book_user_ids(manager_user)
    assert set(ids) == {manager_user.pk, lead.pk, csm.pk}


# Section: the read scope


def _export_names(client) -> set[str]:
    response = client.get(reverse("accounts:portfolio"), {"export": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    return {row[1] for row in rows[1:]}


@pytest.mark.parametrize("scope", ["all", "team"])
@pytest.mark.parametrize("role", ROLES)
def test_read_scope_on_export_page_and_api(client, settings, role, scope):
    # given
    settings.CSM_READ_SCOPE = scope
    user = UserFactory(role=role)
    own, team, other = (_account_for(user, relation) for relation in ("own", "team", "other"))
    client.force_login(user)
    narrowed = scope == "team" and role == Role.CSM
    # when
    names = _export_names(client)
    page = client.get(reverse("accounts:detail", args=[other.pk]))
    api = APIClient()
    api.force_login(user)
    listed = {a["external_id"] for a in api.get("/api/v1/accounts/").json()["results"]}
    # then
    assert {own.name, team.name} <= names
    assert (other.name in names) is not narrowed
    assert page.status_code == (404 if narrowed else 200)
    assert (other.external_id in listed) is not narrowed
    assert account_can_read(user, other) is not narrowed
    assert accounts_readable(user, Account.objects.all()).filter(pk=other.pk).exists() is not narrowed


def test_survey_answers_import_by_a_user_checks_the_book(csm_user):
    theirs = AccountFactory()
    api = APIClient()
    api.force_login(csm_user)
    item = {"kind": "nps", "account": theirs.external_id, "score": 9, "submitted_at": "2026-01-05T10:00:00Z"}
    response = api.post("/api/v1/survey-responses/", item, format="json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_read_scope_narrows_the_records_on_accounts_in_other_apis(settings, csm_user):
    from tests.factories.playbooks import TaskFactory

    settings.CSM_READ_SCOPE = "team"
    mine, theirs = AccountFactory(owner=csm_user), AccountFactory()
    TaskFactory(account=mine, assignee=csm_user)
    TaskFactory(account=theirs)
    api = APIClient()
    api.force_login(csm_user)
    tasks = api.get("/api/v1/tasks/").json()["results"]
    assert len(tasks) == 1
    settings.CSM_READ_SCOPE = "all"
    assert len(api.get("/api/v1/tasks/").json()["results"]) == 2


def test_portfolio_my_book_filter(client, csm_user):
    owned = AccountFactory(owner=csm_user, name="Owned one")
    on_team = AccountFactory(name="Team one")
    AccountTeamMember.objects.create(account=on_team, user=csm_user, role=TeamRole.CSM)
    AccountFactory(name="Someone else's")
    client.force_login(csm_user)
    names = _export_names_with(client, {"owner": "book"})
    assert names == {owned.name, on_team.name}


def _export_names_with(client, params) -> set[str]:
    response = client.get(reverse("accounts:portfolio"), {"export": "csv", **params})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    return {row[1] for row in rows[1:]}
