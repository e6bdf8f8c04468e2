"""The IMAP poller against a real Dovecot (tests/conversations/dovecot.py): UID cursor,
resumable, idempotent, UIDVALIDITY, the size limit, a wrong password."""

import imaplib
import shutil

import pytest

from conversations.email.imap import imap_poll
from conversations.models import ImapMailbox, MailMessage
from conversations.tasks import imap_poll_all_task
from tests.conversations.dovecot import DOVECOT, Dovecot
from tests.factories import ContactFactory
from tests.factories.conversations import raw_email

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which(DOVECOT) and not __import__("os").path.exists(DOVECOT), reason="dovecot-imapd"),
]


@pytest.fixture
def dovecot():
    server = Dovecot({"pulse": "secret"}).start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(dovecot, inbound):
    return ImapMailbox.objects.create(
        name="Shared inbox",
        host=dovecot.host,
        port=dovecot.port,
        security="none",
        username="pulse",
        password="secret",
    )


def test_a_poll_takes_what_is_new_and_a_second_poll_nothing(dovecot, mailbox):
    # given
    ContactFactory(email="alice@customer.example")
    for i in range(3):
        dovecot.append("pulse", raw_email(subject=f"message {i}"))

    # when
    first = imap_poll(mailbox_id=mailbox.pk)
    again = imap_poll(mailbox_id=mailbox.pk)
    dovecot.append("pulse", raw_email(subject="message 3"))
    third = imap_poll(mailbox_id=mailbox.pk)

    # then
    assert (first.stored, again.fetched, third.stored) == (3, 0, 1)
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 4 and mailbox.uidvalidity and mailbox.last_error == ""
    assert MailMessage.objects.filter(source="imap", mailbox="Shared inbox", status="matched").count() == 4


def test_a_poll_cut_short_resumes_after_the_last_message_it_stored(dovecot, mailbox):
    for i in range(3):
        dovecot.append("pulse", raw_email(subject=f"m{i}"))

    part = imap_poll(mailbox_id=mailbox.pk, limit=2)
    rest = imap_poll(mailbox_id=mailbox.pk)

    assert (part.stored, rest.stored) == (2, 1)
    assert MailMessage.objects.count() == 3


def test_a_new_uidvalidity_starts_over_and_stores_nothing_twice(dovecot, mailbox):
    # given: everything fetched once
    for i in range(2):
        dovecot.append("pulse", raw_email(subject=f"m{i}"))
    imap_poll(mailbox_id=mailbox.pk)

    # when: the server says the UIDs mean something else now
    ImapMailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=1, last_uid=99)
    result = imap_poll(mailbox_id=mailbox.pk)

    # then
    assert result.fetched == 2 and result.duplicates == 2 and result.stored == 0
    assert MailMessage.objects.count() == 2


def test_a_message_over_the_limit_is_skipped_without_downloading(dovecot, mailbox, settings):
    settings.INBOUND_EMAIL_MAX_BYTES = 5_000
    dovecot.append("pulse", raw_email(text="x" * 20_000))
    dovecot.append("pulse", raw_email(subject="small"))

    result = imap_poll(mailbox_id=mailbox.pk)

    assert (result.refused, result.fetched, result.stored) == (1, 1, 1)
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 2


def test_polling_leaves_messages_unread(dovecot, mailbox):
    dovecot.append("pulse", raw_email())

    imap_poll(mailbox_id=mailbox.pk)

    client = imaplib.IMAP4(dovecot.host, dovecot.port)
    client.login("pulse", "secret")
    client.select("INBOX", readonly=True)
    _typ, flags = client.uid("FETCH", "1", "(FLAGS)")
    client.logout()
    assert b"\\Seen" not in flags[0]


def test_a_wrong_password_is_recorded_not_raised(dovecot, mailbox):
    mailbox.password = "wrong"
    mailbox.save(update_fields=["password_enc"])

    result = imap_poll(mailbox_id=mailbox.pk)

    mailbox.refresh_from_db()
    assert result.error and mailbox.last_error and mailbox.last_polled_at is not None


def test_the_beat_task_polls_every_enabled_mailbox(dovecot, mailbox):
    dovecot.append("pulse", raw_email())
    ImapMailbox.objects.create(name="off", host="127.0.0.1", port=1, username="x", password="y", enabled=False)

    assert imap_poll_all_task.delay().get() == 1
    assert MailMessage.objects.count() == 1
