"""The inbound endpoints: the raw message (token, content type, size) and the three providers."""

import hashlib
import hmac
import json
import time

import pytest
from django.test import Client

from conversations.models import MailMessage
from tests.factories import ContactFactory
from tests.factories.conversations import raw_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def anon():
    return Client(enforce_csrf_checks=True)


def url(token, tail=""):
    return f"/inbound/email/{token}/{tail}"


def test_a_raw_message_is_stored_and_a_second_copy_is_not(anon, inbound):
    # given
    contact = ContactFactory(email="alice@customer.example")
    raw = raw_email()

    # when
    first = anon.post(url(inbound.token), raw, content_type="message/rfc822")
    again = anon.post(url(inbound.token), raw, content_type="message/rfc822")

    # then
    assert first.status_code == 201 and first.json()["status"] == "matched"
    assert first.json()["account"] == contact.account_id
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert MailMessage.objects.count() == 1


def test_a_wrong_token_is_404_and_a_wrong_type_415(anon, inbound):
    wrong = anon.post(url("nope"), raw_email(), content_type="message/rfc822")
    typed = anon.post(url(inbound.token), raw_email(), content_type="text/plain")

    assert wrong.status_code == 404
    assert typed.status_code == 415 and "message/rfc822" in typed.json()["detail"]
    assert not MailMessage.objects.exists()


def test_a_message_over_the_limit_is_413_with_the_reason(anon, inbound, settings):
    # given: a 25 MB limit made small, and a message past it
    settings.INBOUND_EMAIL_MAX_BYTES = 50_000
    raw = raw_email(attachments=[("big.bin", "application/octet-stream", b"x" * 60_000)])

    # when
    response = anon.post(url(inbound.token), raw, content_type="message/rfc822")

    # then
    assert response.status_code == 413 and "50000" in response.json()["detail"]
    assert not MailMessage.objects.exists()


def test_the_default_limit_is_25_mb_and_refuses_a_26_mb_message(anon, inbound):
    # given: 26 MB of attachment (base64 makes it larger still)
    raw = raw_email(attachments=[("huge.bin", "application/octet-stream", b"\0" * (26 * 1024 * 1024))])

    response = anon.post(url(inbound.token), raw, content_type="message/rfc822")

    assert response.status_code == 413 and str(25 * 1024 * 1024) in response.json()["detail"]


def test_garbage_is_400_not_500(anon, inbound):
    response = anon.post(url(inbound.token), b"\xff\xfe\x00garbage", content_type="message/rfc822")

    assert response.status_code == 400 and response.json()["status"] == "refused"


def test_sendgrid_posts_the_raw_message_in_the_email_field(anon, inbound):
    # given
    ContactFactory(email="alice@customer.example")

    # when
    response = anon.post(
        url(inbound.token, "sendgrid/"),
        {
            "email": raw_email().decode(),
            "envelope": json.dumps({"to": ["x@in.example"], "from": "alice@customer.example"}),
        },
    )

    # then
    assert response.status_code == 201 and response.json()["status"] == "matched"
    assert MailMessage.objects.get().source == "sendgrid"


def test_sendgrid_without_raw_mode_is_told_to_turn_it_on(anon, inbound):
    response = anon.post(url(inbound.token, "sendgrid/"), {"text": "hi", "from": "a@b.example"})

    assert response.status_code == 400 and "raw" in response.json()["detail"]


def _mailgun_signature(key, timestamp, token):
    return hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()


def test_mailgun_body_mime_with_a_valid_signature(anon, inbound, settings):
    # given
    settings.MAILGUN_WEBHOOK_SIGNING_KEY = "key-123"
    ContactFactory(email="alice@customer.example")
    timestamp, token = str(int(time.time())), "t" * 50
    form = {
        "body-mime": raw_email().decode(),
        "sender": "alice@customer.example",
        "timestamp": timestamp,
        "token": token,
        "signature": _mailgun_signature("key-123", timestamp, token),
    }

    # when
    good = anon.post(url(inbound.token, "mailgun/mime"), form)
    forged = anon.post(url(inbound.token, "mailgun/mime"), {**form, "signature": "0" * 64})
    stale_ts = str(int(time.time()) - 3600)
    stale = anon.post(
        url(inbound.token, "mailgun/mime"),
        {**form, "timestamp": stale_ts, "signature": _mailgun_signature("key-123", stale_ts, token)},
    )

    # then
    assert good.status_code == 201 and MailMessage.objects.get().source == "mailgun"
    assert forged.status_code == 403 and stale.status_code == 403


def test_postmark_raw_email_json(anon, inbound):
    # given
    ContactFactory(email="alice@customer.example")
    payload = {"From": "alice@customer.example", "Subject": "x", "RawEmail": raw_email().decode()}

    # when
    response = anon.post(url(inbound.token, "postmark/"), json.dumps(payload), content_type="application/json")
    missing = anon.post(url(inbound.token, "postmark/"), json.dumps({"From": "a@b.c"}), content_type="application/json")

    # then
    assert response.status_code == 201 and MailMessage.objects.get().source == "postmark"
    assert missing.status_code == 400 and "RawEmail" in missing.json()["detail"]
