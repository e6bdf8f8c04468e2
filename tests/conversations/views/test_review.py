"""The review queue page and its bulk actions (assign, add senders as contacts, ignore)."""

import pytest
from django.urls import reverse

from accounts.models import Activity, Contact
from conversations.email import email_ingest
from conversations.models import MailMessage
from tests.factories import AccountFactory, ContactFactory
from tests.factories.conversations import raw_email

pytestmark = pytest.mark.django_db

QUEUE = reverse("conversations:review")


def _waiting(sender="stranger@unknown.example", subject="Who are you?"):
    return email_ingest(raw_email(sender=sender, subject=subject), source="inbound").message_id


def test_the_queue_lists_unmatched_mail_only(csm_client, inbound):
    # given
    ContactFactory(email="alice@customer.example")
    email_ingest(raw_email(subject="Matched one"), source="inbound")
    _waiting(subject="Lost one")

    # when
    page = csm_client.get(QUEUE).content.decode()

    # then
    assert "Lost one" in page and "Matched one" not in page


def test_assign_in_bulk_puts_them_on_the_timeline(csm_client, csm_user, inbound):
    # given
    account = AccountFactory(owner=csm_user, external_id="acme")
    ids = [_waiting(subject="one"), _waiting(sender="x@y.example", subject="two")]

    # when
    csm_client.get(QUEUE)
    response = csm_client.post(reverse("conversations:review_assign"), {"message_ids": ids, "account": "acme"})

    # then
    assert response.status_code == 302
    assert set(MailMessage.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"matched"}
    assert Activity.objects.filter(account=account, kind="email").count() == 2
    account.refresh_from_db()
    assert account.last_touch_at is not None


def test_assign_without_an_account_is_400_with_the_reason(csm_client, inbound):
    ids = [_waiting()]
    csm_client.get(QUEUE)

    response = csm_client.post(reverse("conversations:review_assign"), {"message_ids": ids, "account": "nope"})

    assert response.status_code == 400 and "No account" in response.content.decode()
    assert MailMessage.objects.get(pk=ids[0]).status == "review"


def test_assign_to_someone_elses_account_is_forbidden(csm_client, inbound):
    AccountFactory(external_id="theirs")
    ids = [_waiting()]
    csm_client.get(QUEUE)

    response = csm_client.post(reverse("conversations:review_assign"), {"message_ids": ids, "account": "theirs"})

    assert response.status_code == 403
    assert MailMessage.objects.get(pk=ids[0]).status == "review"


def test_add_senders_as_contacts_takes_every_waiting_message_from_them(csm_client, csm_user, inbound):
    # given: two messages from one new person, one ticked
    account = AccountFactory(owner=csm_user, external_id="acme")
    first = _waiting(sender="Nina New <nina@unknown.example>", subject="first")
    second = _waiting(sender="nina@unknown.example", subject="second")

    # when
    csm_client.get(QUEUE)
    response = csm_client.post(reverse("conversations:review_contacts"), {"message_ids": [first], "account": "acme"})

    # then
    assert response.status_code == 302
    contact = Contact.objects.get(email="nina@unknown.example")
    assert contact.account == account and contact.name == "Nina New"
    assert set(MailMessage.objects.filter(pk__in=[first, second]).values_list("contact", flat=True)) == {contact.pk}
    # and the next e-mail from her matches by itself
    assert email_ingest(raw_email(sender="nina@unknown.example", subject="third"), source="inbound").status == "matched"


def test_ignore_in_bulk(csm_client, inbound):
    ids = [_waiting(subject="a"), _waiting(subject="b")]
    csm_client.get(QUEUE)

    csm_client.post(reverse("conversations:review_ignore"), {"message_ids": ids})

    assert set(MailMessage.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"ignored"}


def test_read_only_users_see_the_queue_but_cannot_act(client, readonly_user, inbound):
    client.force_login(readonly_user)
    ids = [_waiting()]

    assert client.get(QUEUE).status_code == 200
    assert client.post(reverse("conversations:review_ignore"), {"message_ids": ids}).status_code == 403
    assert MailMessage.objects.get(pk=ids[0]).status == "review"


def test_the_account_picker_offers_matching_accounts(csm_client, csm_user):
    AccountFactory(owner=csm_user, name="Acme Corp", external_id="acme")

    html = csm_client.get(reverse("conversations:review_accounts"), {"account": "acm"}).content.decode()

    assert 'value="acme"' in html and "Acme Corp" in html
