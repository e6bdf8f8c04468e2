"""Role x page/action matrix for the foundation's pages: the portfolio, the account 360 page
(reading it, adding to the timeline) and the team's user pages."""

import pytest
from django.urls import reverse

from accounts.models import Activity
from core.choices import Role
from core.models import User
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = [Role.READONLY, Role.CSM, Role.MANAGER, Role.ADMIN]


FORM_PAGES = {
    "account_add_note": lambda account, target: reverse("accounts:detail", args=[account.pk]),
    "user_create": lambda account, target: reverse("core:user_create"),
    "user_edit": lambda account, target: reverse("core:user_edit", args=[target.pk]),
}


def _request(client, action: str, account, target_user):
    if action in FORM_PAGES:
        # as a browser: a page of the app first (any signed-in page carries the CSRF token), then
        # the form's own page where the role may open it
        client.get("/")
        client.get(FORM_PAGES[action](account, target_user))
    if action == "portfolio":
        return client.get(reverse("accounts:portfolio"))
    if action == "account_view":
        return client.get(reverse("accounts:detail", args=[account.pk]))
    if action == "account_add_note":
        return client.post(reverse("accounts:detail", args=[account.pk]), {"kind": "note", "body": "hello"})
    if action == "user_list":
        return client.get(reverse("core:user_list"))
    if action == "user_create_form":
        return client.get(reverse("core:user_create"))
    if action == "user_create":
        return client.post(reverse("core:user_create"), {"email": "n@example.com", "role": Role.CSM})
    if action == "user_edit":
        return client.post(
            reverse("core:user_edit", args=[target_user.pk]),
            {"email": target_user.email, "role": Role.MANAGER, "is_active": "on", "first_name": "Changed"},
        )
    raise AssertionError(action)


# action -> the lowest role allowed, and the status an allowed request answers
MATRIX = {
    "portfolio": (Role.READONLY, 200),
    "account_view": (Role.READONLY, 200),
    "account_add_note": (Role.CSM, 302),
    "user_list": (Role.ADMIN, 200),
    "user_create_form": (Role.ADMIN, 200),
    "user_create": (Role.ADMIN, 302),
    "user_edit": (Role.ADMIN, 302),
}
RANK = {role: i for i, role in enumerate(ROLES)}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(MATRIX))
def test_permission_matrix(client, role, action):
    # given
    user = UserFactory(role=role)
    account = AccountFactory(owner=user)
    target = UserFactory(role=Role.CSM)
    client.force_login(user)
    minimum, ok_status = MATRIX[action]
    allowed = RANK[role] >= RANK[minimum]

    # when
    response = _request(client, action, account, target)

    # then
    assert response.status_code == (ok_status if allowed else 403)
    if action == "account_add_note":
        assert Activity.objects.filter(account=account).exists() == allowed
    if action == "user_create":
        from core.models import Invitation

        assert Invitation.objects.filter(email="n@example.com").exists() == allowed
    if action == "user_edit":
        target.refresh_from_db()
        assert (target.role == Role.MANAGER) == allowed


@pytest.mark.parametrize("url_name, args", [("accounts:portfolio", []), ("core:user_list", [])])
def test_anonymous_users_are_sent_to_login(client, url_name, args):
    response = client.get(reverse(url_name, args=args))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_anonymous_post_to_account_changes_nothing(client):
    account = AccountFactory()
    client.get(reverse("login"))
    response = client.post(reverse("accounts:detail", args=[account.pk]), {"kind": "note", "body": "x"})
    assert response.status_code == 302 and not Activity.objects.exists()


def test_readonly_user_sees_no_note_form(client, readonly_user):
    account = AccountFactory()
    client.force_login(readonly_user)
    html = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert "Add to timeline" not in html
