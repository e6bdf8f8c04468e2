"""E-mail of notifications: only the kinds a user chose, after commit, once, in their language."""

import pytest

from core.choices import Role
from notifications.choices import NotificationKind
from notifications.models import Notification
from notifications.services import (
    NotificationDraft,
    notification_preferences_set,
    notifications_create,
    notifications_email_send,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _draft(user, kind=NotificationKind.TASK_ASSIGNED, key="k1"):
    return NotificationDraft(recipient_id=user.pk, kind=kind, key=key, title="Task assigned: X", url="/tasks/1/")


def test_defaults_email_tasks_and_mentions_after_commit(django_capture_on_commit_callbacks, mailoutbox):
    user = UserFactory(role=Role.CSM, email="carl@team.example")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notifications_create(drafts=[_draft(user), _draft(user, NotificationKind.RENEWAL_DUE, "k2")])
    assert mailoutbox == []  # nothing before commit
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.subject == "Task assigned: X" and message.to == ["carl@team.example"]
    assert "http://127.0.0.1:8000/tasks/1/" in message.body
    assert Notification.objects.get(key="k1").emailed_at is not None
    assert Notification.objects.get(key="k2").emailed_at is None  # renewals: in-app only by default


def test_preferences_turn_email_off_and_on(django_capture_on_commit_callbacks, mailoutbox):
    user = UserFactory(role=Role.CSM, email="carl@team.example")
    notification_preferences_set(user=user, email_kinds=[NotificationKind.RENEWAL_DUE])
    with django_capture_on_commit_callbacks(execute=True):
        notifications_create(drafts=[_draft(user), _draft(user, NotificationKind.RENEWAL_DUE, "k2")])
    # tasks off (their choice over the default), renewals on; both in the feed
    assert len(mailoutbox) == 1 and mailoutbox[0].subject == Notification.objects.get(key="k2").title
    assert Notification.objects.count() == 2


def test_a_repeat_neither_duplicates_nor_mails_again(django_capture_on_commit_callbacks, mailoutbox):
    user = UserFactory(role=Role.CSM, email="carl@team.example")
    with django_capture_on_commit_callbacks(execute=True):
        first = notifications_create(drafts=[_draft(user)])
        again = notifications_create(drafts=[_draft(user)])
    assert len(first) == 1 and again == []
    assert notifications_email_send(notification_ids=first) == 0  # a retried task sends nothing
    assert len(mailoutbox) == 1 and Notification.objects.count() == 1


def test_email_is_written_in_the_recipients_language(django_capture_on_commit_callbacks, mailoutbox):
    user = UserFactory(role=Role.CSM, email="sara@team.example", language="fa")
    with django_capture_on_commit_callbacks(execute=True):
        notifications_create(drafts=[_draft(user)])
    html = mailoutbox[0].alternatives[0][0]
    assert 'lang="fa" dir="rtl"' in html


def test_no_mail_for_a_user_without_address_or_inactive(django_capture_on_commit_callbacks, mailoutbox):
    nobody = UserFactory(role=Role.CSM, email="")
    gone = UserFactory(role=Role.CSM, email="gone@team.example", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        notifications_create(drafts=[_draft(nobody), _draft(gone)])
    assert mailoutbox == [] and Notification.objects.count() == 2  # the feed still has both
