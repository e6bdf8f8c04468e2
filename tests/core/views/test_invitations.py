"""Inviting a colleague as an admin does it (CSRF enforced), and accepting as the invited person
does it, signed out: they choose their own user name and password; bad input is a form error
where they typed; a used, revoked or expired link says so."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core.choices import Role
from core.models import Invitation, User
from tests.conftest import BrowserLikeClient

pytestmark = pytest.mark.django_db


def _invite(admin_client, **data):
    admin_client.get("/team/users/new/")
    payload = {"email": "lena@example.com", "first_name": "Lena", "role": Role.CSM, **data}
    return admin_client.post("/team/users/new/", payload)


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/invite/[^/\s]+/)", message.body).group(1)


def test_an_admin_invites_and_the_colleague_accepts(
    admin_client, admin_user, manager_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(admin_client, manager=manager_user.pk)
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["lena@example.com"] and "invited you" in message.body
    invitation = Invitation.objects.get()
    assert invitation.invited_by == admin_user and invitation.state == "pending"
    assert len(invitation.token_hash) == 64 and invitation.token_hash not in message.body

    link = _link(message)
    newcomer = BrowserLikeClient()
    page = newcomer.get(link)
    assert page.status_code == 200 and b"lena@example.com" in page.content
    accepted = newcomer.post(link, {"username": "lena", "password": "Quiet-harbor-42"})
    assert accepted.status_code == 302 and accepted["Location"] == "/"
    user = User.objects.get(username="lena")
    assert (user.email, user.role, user.manager, user.first_name) == (
        "lena@example.com",
        Role.CSM,
        manager_user,
        "Lena",
    )
    assert user.check_password("Quiet-harbor-42")
    assert newcomer.get("/").status_code == 200  # signed in
    # the link works once
    again = BrowserLikeClient()
    assert again.get(link).status_code == 410
    assert again.post(link, {"username": "lena2", "password": "Quiet-harbor-42"}, csrf=False).status_code == 403


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"username": "", "password": "Quiet-harbor-42"}, "username", "required"),
        ({"username": "lena", "password": "1234"}, "password", "too short"),
        ({"username": "taken", "password": "Quiet-harbor-42"}, "username", "taken"),
    ],
)
def test_accepting_with_bad_input_shows_the_error_on_the_field(
    admin_client, django_capture_on_commit_callbacks, data, field, message
):
    User.objects.create_user("taken", password="x-Very-long-1")
    with django_capture_on_commit_callbacks(execute=True):
        _invite(admin_client)
    link = _link(mail.outbox[0])
    newcomer = BrowserLikeClient()
    newcomer.get(link)
    response = newcomer.post(link, data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]).lower()
    assert Invitation.objects.get().state == "pending"


def test_inviting_with_bad_input_shows_the_error_on_the_field(admin_client, csm_user):
    csm_user.email = "taken@example.com"
    csm_user.save()
    for data, field in (
        ({"email": "not-an-email"}, "email"),
        ({"role": "boss"}, "role"),
        ({"email": "taken@example.com"}, "email"),
    ):
        response = _invite(admin_client, **data)
        assert response.status_code == 400 and field in response.context["form"].errors
    assert not Invitation.objects.exists()


def test_a_revoked_or_expired_link_is_refused(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(admin_client)
        _invite(admin_client, email="kim@example.com")
    first, second = (_link(m) for m in mail.outbox)
    lena = Invitation.objects.get(email="lena@example.com")
    admin_client.get("/team/users/")
    assert admin_client.post(f"/team/invitations/{lena.pk}/revoke/").status_code == 302
    Invitation.objects.filter(email="kim@example.com").update(expires_at=timezone.now() - timedelta(seconds=1))
    for link in (first, second):
        response = BrowserLikeClient().get(link)
        assert response.status_code == 410 and b'data-testid="invitation-invalid"' in response.content
    assert not User.objects.filter(email__in=["lena@example.com", "kim@example.com"]).exists()


def test_resend_sends_a_new_link_and_voids_the_old(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(admin_client)
    old = _link(mail.outbox[0])
    invitation = Invitation.objects.get()
    admin_client.get("/team/users/")
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(f"/team/invitations/{invitation.pk}/resend/").status_code == 302
    new = _link(mail.outbox[1])
    assert new != old
    assert BrowserLikeClient().get(old).status_code == 410
    assert BrowserLikeClient().get(new).status_code == 200


def test_only_admins_invite(csm_client, manager_user):
    assert csm_client.get("/team/users/new/").status_code == 403
    csm_client.get("/")
    assert csm_client.post("/team/users/new/", {"email": "x@example.com", "role": Role.ADMIN}).status_code == 403
    assert not Invitation.objects.exists()


def test_the_users_page_title_is_only_its_title(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(admin_client)
    html = admin_client.get("/team/users/").content.decode()
    title = html[html.index("<title>") : html.index("</title>")]
    assert "Invitations" not in title and "lena@example.com" not in title
    assert html.count('data-testid="invitations"') == 1
