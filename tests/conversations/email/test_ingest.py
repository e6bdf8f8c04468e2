"""email_ingest: matching to contacts and domains, the review queue, threading, dedupe, ignores."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.choices import ActivityKind
from accounts.models import Activity
from conversations.email import IngestRefused, email_ingest
from conversations.models import MailMessage, MailThread
from tests.factories import AccountFactory, ContactFactory
from tests.factories.conversations import raw_email

pytestmark = pytest.mark.django_db


def test_a_contacts_email_goes_on_its_accounts_timeline_as_a_touch(inbound):
    # given
    contact = ContactFactory(email="alice@customer.example")
    sent = timezone.now() - timedelta(hours=2)

    # when
    result = email_ingest(raw_email(sender="Alice <alice@customer.example>", date=sent), source="inbound")

    # then
    assert result.status == "matched" and result.account_id == contact.account_id
    message = MailMessage.objects.get(pk=result.message_id)
    assert message.direction == "in" and message.contact == contact and message.from_name == "Alice"
    activity = Activity.objects.get(pk=message.activity_id)
    assert activity.kind == ActivityKind.EMAIL and activity.contact == contact
    assert activity.subject == "Question about the renewal"
    assert activity.metadata["direction"] == "in" and activity.metadata["matched_by"] == "contact"
    contact.account.refresh_from_db()
    assert abs(contact.account.last_touch_at - sent) < timedelta(seconds=1)


def test_the_senders_account_wins_over_other_contacts(inbound):
    # given: the sender is a contact of A; two Cc'd people are contacts of B
    a = ContactFactory(email="alice@a.example").account
    b = AccountFactory()
    ContactFactory(account=b, email="bob@b.example")
    ContactFactory(account=b, email="bea@b.example")

    # when
    result = email_ingest(raw_email(sender="alice@a.example", cc=["bob@b.example", "bea@b.example"]), source="inbound")

    # then
    assert result.account_id == a.pk


def test_an_unknown_person_at_an_accounts_domain_matches_by_domain(inbound):
    # given
    account = AccountFactory(domain="acme.example")

    # when
    result = email_ingest(raw_email(sender="new.person@acme.example"), source="inbound")

    # then
    assert result.status == "matched" and result.account_id == account.pk
    assert MailMessage.objects.get(pk=result.message_id).contact is None
    assert Activity.objects.get(account=account).metadata["matched_by"] == "domain"


@pytest.mark.parametrize(
    "sender",
    ["someone@nowhere.example", "someone@gmail.com"],
    ids=["unknown domain", "freemail never by domain"],
)
def test_unmatched_mail_waits_in_the_review_queue(inbound, sender):
    # given
    AccountFactory(domain="gmail.com")

    # when
    result = email_ingest(raw_email(sender=sender), source="inbound")

    # then
    assert result.status == "review" and result.account_id is None
    assert not Activity.objects.exists()


def test_two_accounts_on_one_domain_go_to_review(inbound):
    AccountFactory(domain="shared.example")
    AccountFactory(domain="shared.example")

    assert email_ingest(raw_email(sender="x@shared.example"), source="inbound").status == "review"


def test_internal_only_and_excluded_domains_are_ignored_and_keep_nothing(inbound):
    # given
    inbound.excluded_domains = ["vendor.example"]
    inbound.save()
    ContactFactory(email="sales@vendor.example")

    # when
    internal = email_ingest(raw_email(sender="ann@team.example", to="bo@team.example"), source="inbound")
    excluded = email_ingest(raw_email(sender="sales@vendor.example"), source="inbound")

    # then
    assert internal.status == "internal" and excluded.status == "excluded"
    for pk in (internal.message_id, excluded.message_id):
        row = MailMessage.objects.get(pk=pk)
        assert row.subject == "" and row.body_text == "" and row.from_address == "" and row.thread is None
    assert not Activity.objects.exists()


def test_a_message_from_the_team_to_a_customer_is_outbound(inbound):
    contact = ContactFactory(email="alice@customer.example")

    result = email_ingest(raw_email(sender="carl@team.example", to="alice@customer.example"), source="imap")

    message = MailMessage.objects.get(pk=result.message_id)
    assert message.direction == "out" and message.contact == contact and result.status == "matched"


def test_the_same_message_twice_is_stored_once(inbound):
    # given
    ContactFactory(email="alice@customer.example")
    raw = raw_email(message_id="<same@customer.example>")

    # when: by the BCC address, then again by IMAP with an extra Received header
    first = email_ingest(raw, source="inbound")
    second = email_ingest(
        b"Received: from relay.example by mx.example; Mon, 7 Dec 2026 08:00:00 +0000\r\n" + raw, source="imap"
    )

    # then
    assert first.created and not second.created and second.message_id == first.message_id
    assert MailMessage.objects.count() == 1 and Activity.objects.count() == 1


def test_a_reused_message_id_with_another_body_is_another_message(inbound):
    email_ingest(raw_email(message_id="<dup@x.example>", text="one"), source="inbound")
    second = email_ingest(raw_email(message_id="<dup@x.example>", text="two"), source="inbound")

    assert second.created and MailMessage.objects.count() == 2


def test_replies_thread_by_in_reply_to_and_references(inbound):
    # given
    ContactFactory(email="alice@customer.example")
    root = email_ingest(raw_email(message_id="<root@c.example>"), source="inbound")

    # when
    reply = email_ingest(
        raw_email(
            sender="carl@team.example",
            to="alice@customer.example",
            message_id="<r1@team.example>",
            in_reply_to="<root@c.example>",
        ),
        source="inbound",
    )
    deeper = email_ingest(
        raw_email(message_id="<r2@c.example>", references="<root@c.example> <r1@team.example>"), source="inbound"
    )

    # then
    assert root.thread_id == reply.thread_id == deeper.thread_id
    assert MailThread.objects.count() == 1


def test_a_reply_before_its_parent_is_merged_into_one_thread(inbound):
    # given: the reply arrives first and the parent has no reference to it
    reply = email_ingest(raw_email(message_id="<child@c.example>", in_reply_to="<parent@c.example>"), source="inbound")
    other = email_ingest(raw_email(message_id="<other@c.example>", references="<child@c.example>"), source="inbound")

    # when
    parent = email_ingest(raw_email(message_id="<parent@c.example>"), source="inbound")

    # then
    assert reply.thread_id == other.thread_id == parent.thread_id
    assert MailThread.objects.count() == 1


def test_an_unmatched_reply_joins_its_threads_account(inbound):
    # given: a thread on an account
    contact = ContactFactory(email="alice@customer.example")
    email_ingest(raw_email(message_id="<root@c.example>"), source="inbound")

    # when: someone unknown answers in the thread
    result = email_ingest(raw_email(sender="boss@elsewhere.example", in_reply_to="<root@c.example>"), source="inbound")

    # then
    assert result.status == "matched" and result.account_id == contact.account_id


def test_the_body_is_kept_or_not_by_the_setting(inbound):
    # given
    ContactFactory(email="alice@customer.example")
    inbound.keep_body = False
    inbound.save()
    long_text = "First line of news. " * 40

    # when
    result = email_ingest(raw_email(text=long_text), source="inbound")

    # then
    message = MailMessage.objects.get(pk=result.message_id)
    assert message.body_text == "" and message.body_html == "" and len(message.snippet) <= 200
    assert Activity.objects.get().body == message.snippet


def test_not_an_email_is_refused_with_a_reason(inbound):
    with pytest.raises(IngestRefused) as refused:
        email_ingest(b"just some bytes\r\n\r\nnothing else", source="inbound")
    assert refused.value.status == 400 and "no From" in refused.value.reason
