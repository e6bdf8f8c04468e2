"""Compose against a real SMTP server (aiosmtpd): languages, templates, timeline, replies,
tracking, the fatigue budget, SMTP failures and permissions."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Activity
from conversations.email import email_ingest
from conversations.models import MailMessage
from surveys.fatigue import fatigue_record
from tests.factories import AccountFactory, ContactFactory
from tests.factories.conversations import raw_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(csm_user):
    return AccountFactory(owner=csm_user, name="Acme", domain="acme.example")


@pytest.fixture
def layla(account):
    return ContactFactory(account=account, name="Layla Haddad", email="layla@acme.example", language="ar")


@pytest.fixture
def tom(account):
    return ContactFactory(account=account, name="Tom Baker", email="tom@acme.example", language="en")


def _compose(client, account, **data):
    url = reverse("conversations:compose", args=[account.pk])
    client.get(url)
    return client.post(
        url,
        {
            "subject": "Hello {{ contact.first_name }}",
            "body": "Hi {{ contact.first_name }},\nsee https://docs.example/guide?a=1&b=2",
            **data,
        },
    )


def test_compose_sends_one_email_per_contact_in_their_language(
    csm_client, csm_user, account, layla, tom, smtp_server, inbound
):
    # when
    response = _compose(csm_client, account, recipients=[layla.pk, tom.pk])

    # then: both at the SMTP server, each rendered for its contact
    assert response.status_code == 302
    by_to = {m["To"].addresses[0].addr_spec: m for m in smtp_server.messages}
    arabic, english = by_to["layla@acme.example"], by_to["tom@acme.example"]
    assert arabic["Subject"] == "Hello Layla" and english["Subject"] == "Hello Tom"
    assert arabic["Content-Language"] == "ar" and english["Content-Language"] == "en"
    arabic_html = arabic.get_body(("html",)).get_content()
    assert 'dir="rtl"' in arabic_html and 'lang="ar"' in arabic_html
    assert "ردّ على هذه الرسالة" in arabic.get_body(("plain",)).get_content()
    assert "Reply to this e-mail to reach Carl Success." in english.get_body(("plain",)).get_content()
    # replies go to the writer and to the workspace's inbound address
    assert inbound.address in str(arabic["Reply-To"]) and csm_user.email in str(arabic["Reply-To"])


def test_a_sent_email_is_on_the_timeline_as_an_outbound_touch(csm_client, csm_user, account, tom, smtp_server, inbound):
    _compose(csm_client, account, recipients=[tom.pk])

    message = MailMessage.objects.get()
    assert message.direction == "out" and message.status == "matched" and message.source == "compose"
    activity = Activity.objects.get(pk=message.activity_id)
    assert activity.kind == "email" and activity.author == csm_user and activity.contact == tom
    account.refresh_from_db()
    assert account.last_touch_at is not None


def test_the_customers_reply_joins_the_thread_through_the_inbound_path(csm_client, account, tom, smtp_server, inbound):
    # given
    _compose(csm_client, account, recipients=[tom.pk])
    sent = smtp_server.messages[0]

    # when: Tom answers (his mail client quotes our Message-ID)
    reply = raw_email(
        sender="tom@acme.example", to=inbound.address, subject="Re: Hello Tom", in_reply_to=sent["Message-ID"]
    )
    result = email_ingest(reply, source="inbound")

    # then
    ours = MailMessage.objects.get(source="compose")
    assert result.thread_id == ours.thread_id and result.account_id == account.pk


def test_tracking_counts_opens_and_clicks_and_refuses_forged_links(
    client, csm_client, account, tom, smtp_server, inbound
):
    # given
    _compose(csm_client, account, recipients=[tom.pk], tracking="on")
    html = smtp_server.messages[0].get_body(("html",)).get_content()
    pixel = re.search(r'src="http://[^/]+(/t/o/[^"]+)"', html).group(1)
    link = re.search(r'href="http://[^/]+(/t/c/[^"]+)"', html).group(1)
    text = smtp_server.messages[0].get_body(("plain",)).get_content()
    assert "https://docs.example/guide?a=1&b=2" in text  # the text part keeps the real link

    # when
    opened = client.get(pixel)
    clicked = client.get(link)
    forged = client.get(link[:-6] + "xxxxx/")

    # then
    assert opened.status_code == 200 and opened["Content-Type"] == "image/gif"
    assert clicked.status_code == 302 and clicked["Location"] == "https://docs.example/guide?a=1&b=2"
    assert forged.status_code == 404
    message = MailMessage.objects.get()
    assert (message.open_count, message.click_count) == (1, 1) and message.opened_at and message.clicked_at


def test_without_tracking_there_is_no_pixel(csm_client, account, tom, smtp_server, inbound):
    _compose(csm_client, account, recipients=[tom.pk])

    assert "/t/o/" not in smtp_server.messages[0].get_body(("html",)).get_content()


def test_marketing_like_email_respects_the_fatigue_budget(csm_client, account, layla, tom, smtp_server, inbound):
    # given: Layla was asked a survey last week
    fatigue_record(contact_id=layla.pk, channel="email", kind="asked", occurred_at=timezone.now() - timedelta(days=7))

    # when
    response = _compose(csm_client, account, recipients=[layla.pk, tom.pk], marketing="on")

    # then: Tom only, and his budget is spent
    assert response.status_code == 302
    assert [m["To"].addresses[0].addr_spec for m in smtp_server.messages] == ["tom@acme.example"]
    again = _compose(csm_client, account, recipients=[tom.pk], marketing="on")
    assert again.status_code == 400 and "fatigue" in again.content.decode()


def test_an_smtp_failure_stores_nothing_and_says_so(csm_client, account, tom, smtp_server, inbound, settings):
    settings.EMAIL_PORT = 1  # nobody listens there

    response = _compose(csm_client, account, recipients=[tom.pk])

    assert response.status_code == 400 and "Nothing was sent" in response.content.decode()
    assert not MailMessage.objects.exists() and not Activity.objects.exists()


def test_a_template_error_is_a_form_error(csm_client, account, tom, smtp_server, inbound):
    response = _compose(csm_client, account, recipients=[tom.pk], body="Hi {% if %}")

    assert response.status_code == 400 and "template error" in response.content.decode()
    assert not smtp_server.envelopes


def test_someone_elses_account_is_forbidden(client, user_for_role, account, tom, smtp_server):
    client.force_login(user_for_role("csm"))

    assert client.get(reverse("conversations:compose", args=[account.pk])).status_code == 403


def test_a_playbook_email_template_fills_the_form(csm_client, account, tom):
    from playbooks.models import EmailTemplate

    template = EmailTemplate.objects.create(
        name="Check-in", subject="Checking in, {{ contact.first_name }}", body="How is it going?"
    )

    page = csm_client.get(
        reverse("conversations:compose", args=[account.pk]), {"template": template.pk, "contact": tom.pk}
    )

    html = page.content.decode()
    assert "Checking in, {{ contact.first_name }}" in html and "How is it going?" in html
    assert f'value="{tom.pk}" checked' in html or f'value="{tom.pk}"\n' in html or "checked" in html
