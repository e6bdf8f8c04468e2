"""Mail to a team member is written in their language (core.i18n.recipient_language), whatever the
language of the page that caused it: password reset, invitations, notification e-mails."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from core.choices import Role
from core.formats import format_datetime, format_number
from core.i18n import recipient_language
from core.invitations.services import invitation_create
from notifications.choices import NotificationKind
from notifications.services import NotificationDraft, notifications_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_recipient_language_sets_language_zone_and_digits():
    user = UserFactory(language="fa", timezone="Asia/Tehran", digits="native", calendar="persian")
    moment = dt.datetime(2026, 12, 7, 22, 30, tzinfo=dt.UTC)
    with translation.override("en"):
        with recipient_language(user) as language:
            assert language == "fa" and translation.get_language() == "fa"
            assert format_number(12) == "۱۲"
            assert format_datetime(moment) == "۱۷ آذر ۱۴۰۵ ۰۲:۰۰"
        assert translation.get_language() == "en"
        assert format_number(12) == "12"
    assert timezone.get_current_timezone_name() == "UTC"


def test_recipient_without_a_language_gets_the_default():
    user = UserFactory(language="")
    with recipient_language(user) as language:
        assert language == "en"
    with recipient_language(user, default="zh-hans") as language:
        assert language == "zh-hans"


def test_password_reset_mail_in_the_recipients_language(client, mailoutbox):
    UserFactory(email="layla@team.example", language="ar")
    client.get(reverse("password_reset"))
    response = client.post(
        reverse("password_reset"), {"email": "layla@team.example"}, headers={"accept-language": "zh-hans"}
    )
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "لقد تلقيت" in body or "كلمة المرور" in body, body  # Django's own Arabic reset mail
    assert "password" not in body.lower().split("http")[0]


def test_invitation_in_the_invitees_language(django_capture_on_commit_callbacks, mailoutbox):
    admin = UserFactory(role=Role.ADMIN, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(email="wei@team.example", role=Role.CSM, invited_by=admin, language="zh-hans")
    assert invitation.language == "zh-hans"
    assert len(mailoutbox) == 1
    assert "Pulse CS" in mailoutbox[0].subject and "invited" not in mailoutbox[0].subject
    assert any("\u4e00" <= ch <= "\u9fff" for ch in mailoutbox[0].body)


def test_invitation_falls_back_to_the_inviters_language(django_capture_on_commit_callbacks, mailoutbox):
    admin = UserFactory(role=Role.ADMIN, language="ar")
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(email="sam@team.example", role=Role.CSM, invited_by=admin)
    assert any("\u0600" <= ch <= "\u06ff" for ch in mailoutbox[0].subject)


def test_notification_mail_in_the_recipients_language(django_capture_on_commit_callbacks, mailoutbox):
    user = UserFactory(role=Role.CSM, email="reza@team.example", language="fa")
    draft = NotificationDraft(
        recipient_id=user.pk, kind=NotificationKind.TASK_ASSIGNED, key="k", title="T", url="/tasks/1/"
    )
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        notifications_create(drafts=[draft])
    html = mailoutbox[0].alternatives[0][0]
    assert 'lang="fa"' in html and 'dir="rtl"' in html
