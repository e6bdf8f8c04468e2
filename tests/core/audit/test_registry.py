"""Saves and deletes of registered models become audit rows with before and after; who and from
where come from the request; passwords and secrets never show."""

import pytest

from core.audit.models import AuditAction, AuditEvent
from core.choices import Role
from core.models import User
from core.services import api_key_create

pytestmark = pytest.mark.django_db


def _events(after: int = 0, **filters):
    return list(AuditEvent.objects.filter(id__gt=after, **filters).order_by("id"))


def _last() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_a_role_change_through_the_users_page_is_recorded_with_who_and_from_where(client, admin_user):
    member = User.objects.create_user("sam", password="pass1234!", role=Role.CSM)
    client.force_login(admin_user)
    before = _last()
    client.get(f"/team/users/{member.pk}/")
    response = client.post(
        f"/team/users/{member.pk}/",
        {
            "username": "sam",
            "first_name": "Sam",
            "last_name": "",
            "email": "sam@example.com",
            "role": Role.MANAGER,
            "title": "",
            "is_active": "on",
        },
        REMOTE_ADDR="203.0.113.5",
        HTTP_USER_AGENT="pytest-browser",
    )
    assert response.status_code == 302
    (event,) = _events(before, action=AuditAction.UPDATE, object_type="core.user", object_id=str(member.pk))
    assert event.actor == admin_user and event.actor_label == admin_user.username
    assert event.changes["role"] == [Role.CSM, Role.MANAGER]
    assert event.changes["first_name"] == ["", "Sam"]
    assert event.ip_address == "203.0.113.5" and event.user_agent == "pytest-browser"
    assert event.path == f"/team/users/{member.pk}/"


def test_a_password_change_shows_that_it_changed_never_the_hash(admin_user):
    before = _last()
    admin_user.set_password("another-secret-1")
    admin_user.save()
    (event,) = _events(before, action=AuditAction.UPDATE, object_type="core.user")
    assert event.changes == {"password": ["••••••", "••••••"]}
    assert "another-secret" not in str(event.changes) and "md5$" not in str(event.changes)


def test_a_sign_in_updates_last_login_without_an_update_row(client, csm_user):
    before = _last()
    client.force_login(csm_user)
    assert _events(before, action=AuditAction.UPDATE) == []
    assert len(_events(before, action=AuditAction.LOGIN, object_id=str(csm_user.pk))) == 1


def test_an_api_key_created_and_revoked_is_recorded_without_its_hash(admin_user):
    from django.test import RequestFactory

    from core.audit.context import _request

    request = RequestFactory().post("/team/api-keys/")
    request.user = admin_user
    token = _request.set(request)
    try:
        key, raw = api_key_create(name="warehouse", scope="read", created_by=admin_user)
        key.revoked_at = key.created_at
        key.save()
    finally:
        _request.reset(token)
    created, revoked = _events(object_type="core.apikey")
    assert created.action == AuditAction.CREATE and created.actor == admin_user
    assert created.changes["key_hash"] == [None, "••••••"] and raw not in str(created.changes)
    assert revoked.action == AuditAction.UPDATE and list(revoked.changes) == ["revoked_at"]


def test_outside_a_request_the_actor_is_system(db):
    from health.models import Scorecard

    scorecard = Scorecard.objects.create(name="Audit me")
    (event,) = _events(object_type="health.scorecard", action=AuditAction.CREATE)
    assert event.actor is None and event.actor_label == "system"
    assert event.object_repr == str(scorecard)


def test_an_account_deletion_is_recorded_but_its_edits_are_not(db):
    from tests.factories import AccountFactory

    account = AccountFactory(name="Gone Ltd")
    account.name = "Gone Limited"
    account.save()
    assert _events(object_type="accounts.account") == []
    pk = account.pk
    account.delete()
    (event,) = _events(object_type="accounts.account")
    assert event.action == AuditAction.DELETE and event.object_id == str(pk)
    assert event.changes["name"] == ["Gone Limited", None]


def test_an_api_write_is_attributed_to_the_api_key(api_write):
    from tests.factories import AccountFactory

    account = AccountFactory(external_id="del-1")
    response = api_write.delete(f"/api/v1/accounts/{account.external_id}/")
    assert response.status_code in (204, 200), response.content
    (event,) = _events(object_type="accounts.account", action=AuditAction.DELETE)
    assert event.actor is None and event.actor_label.startswith("api-key:")
