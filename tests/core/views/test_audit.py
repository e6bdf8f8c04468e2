"""The audit log page: admins only, filters, and a CSV export that is itself recorded."""

import csv
import io

import pytest

from core.audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(admin_user):
    AuditEvent.objects.create(
        action=AuditAction.UPDATE,
        actor=admin_user,
        actor_label=admin_user.username,
        object_type="health.scorecard",
        object_id="7",
        object_repr="Default",
        changes={"name": ["Old", "Default"]},
    )
    AuditEvent.objects.create(
        action=AuditAction.LOGIN_FAILED, actor_label="anonymous", object_type="core.user", object_repr="mallory"
    )
    AuditEvent.objects.create(
        action=AuditAction.DELETE,
        actor_label="api-key:crm",
        object_type="accounts.account",
        object_id="12",
        object_repr="Gone Ltd",
    )


@pytest.mark.parametrize("role_client", ["csm_client", "manager_client"])
def test_only_admins_see_the_log(request, role_client, trail):
    if role_client == "manager_client":
        from tests.conftest import BrowserLikeClient

        c = BrowserLikeClient()
        c.force_login(request.getfixturevalue("manager_user"))
    else:
        c = request.getfixturevalue(role_client)
    assert c.get("/team/audit/").status_code == 403


def test_the_log_lists_and_filters(admin_client, trail, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        page = admin_client.get("/team/audit/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Gone Ltd" in body and "mallory" in body and "Old" in body
    deletes = admin_client.get("/team/audit/", {"action": "delete"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Gone Ltd" in deletes and "mallory" not in deletes and "<html" not in deletes
    by_actor = admin_client.get("/team/audit/", {"actor": "api-key"}).content.decode()
    assert "Gone Ltd" in by_actor and "Default" not in by_actor
    by_type = admin_client.get("/team/audit/", {"object_type": "health.scorecard"}).content.decode()
    assert "Default" in by_type and "Gone Ltd" not in by_type


def test_a_bad_filter_value_is_not_an_error(admin_client, trail):
    response = admin_client.get("/team/audit/", {"since": "yesterday", "action": "nope"})
    assert response.status_code == 200


def test_the_csv_export_follows_the_filters_and_is_recorded(admin_client, admin_user, trail):
    response = admin_client.get("/team/audit/", {"format": "csv", "action": "delete"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 2 and rows[1][5] == "Gone Ltd"
    export = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert export.actor == admin_user and export.object_repr == "audit-log.csv"
    assert export.extra == {"rows": 1} and "action=delete" in export.path
