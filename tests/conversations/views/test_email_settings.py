"""The inbound e-mail settings page: address and token, rotate, domains, IMAP mailboxes."""

import pytest
from django.urls import reverse

from conversations.models import ImapMailbox, InboundSettings

pytestmark = pytest.mark.django_db

PAGE = reverse("conversations:email_settings")


def test_admins_see_the_address_and_endpoint(admin_client, inbound):
    page = admin_client.get(PAGE).content.decode()

    assert inbound.address in page and f"/inbound/email/{inbound.token}/" in page


def test_csms_may_not_see_the_token(csm_client, inbound):
    assert csm_client.get(PAGE).status_code == 403


def test_rotating_makes_the_old_token_404(admin_client, client, inbound):
    old = inbound.token
    admin_client.get(PAGE)

    admin_client.post(reverse("conversations:email_rotate"))

    config = InboundSettings.load()
    assert config.token != old and config.rotated_at is not None
    gone = client.post(f"/inbound/email/{old}/", b"From: a@b.example\r\n\r\nx", content_type="message/rfc822")
    assert gone.status_code == 404


def test_domains_are_cleaned_and_a_bad_one_is_a_form_error(admin_client, inbound):
    admin_client.get(PAGE)
    ok = admin_client.post(
        PAGE,
        {
            "keep_body": "on",
            "team_domains": "@Team.Example\nsub.team.example",
            "excluded_domains": "news.example, .vendor.example",
        },
    )
    bad = admin_client.post(PAGE, {"team_domains": "not a domain!"})

    assert ok.status_code == 302
    config = InboundSettings.load()
    assert config.team_domains == ["team.example", "sub.team.example"]
    assert config.excluded_domains == ["news.example", "vendor.example"]
    assert bad.status_code == 400 and "is not a domain name" in bad.content.decode()


def test_an_imap_mailbox_is_added_and_removed(admin_client, inbound):
    admin_client.get(PAGE)
    response = admin_client.post(
        reverse("conversations:imap_create"),
        {
            "name": "Support",
            "host": "imap.example",
            "port": 993,
            "security": "ssl",
            "username": "u",
            "password": "s3cret-pw",
            "folder": "INBOX",
        },
    )
    box = ImapMailbox.objects.get()
    assert response.status_code == 302 and box.password == "s3cret-pw"
    assert "s3cret-pw" not in admin_client.get(PAGE).content.decode()

    admin_client.post(reverse("conversations:imap_delete", args=[box.pk]))

    assert not ImapMailbox.objects.exists()
