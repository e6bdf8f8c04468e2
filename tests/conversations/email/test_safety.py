"""Hostile messages: script in HTML, a forged From, a zip bomb, malformed headers."""

import io
import zipfile

import pytest

from conversations.email import email_ingest
from conversations.models import MailMessage
from tests.factories import ContactFactory
from tests.factories.conversations import raw_email

pytestmark = pytest.mark.django_db


def test_html_is_sanitised_script_and_handlers_stripped(inbound):
    # given
    ContactFactory(email="alice@customer.example")
    html = (
        '<p onclick="steal()">Hi <b>there</b></p><script>alert(document.cookie)</script>'
        '<a href="javascript:alert(1)">x</a><img src=x onerror="alert(2)"><iframe src="https://evil.example"></iframe>'
    )

    # when
    result = email_ingest(raw_email(html=html), source="inbound")

    # then
    body = MailMessage.objects.get(pk=result.message_id).body_html
    assert "<b>there</b>" in body
    for bad in ("<script", "onclick", "onerror", "javascript:", "<iframe", "alert(document"):
        assert bad not in body


def test_an_html_only_message_gets_a_text_view_without_markup(inbound):
    ContactFactory(email="alice@customer.example")
    raw = (
        b"From: alice@customer.example\r\nTo: carl@team.example\r\nSubject: html\r\n"
        b"Message-ID: <h@c.example>\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b"<div>Line one<br>Line <i>two</i></div><script>evil()</script>"
    )

    message = MailMessage.objects.get(pk=email_ingest(raw, source="inbound").message_id)

    assert "Line one" in message.body_text and "<" not in message.body_text and "evil" not in message.body_text


def test_a_forged_from_is_flagged_and_not_matched_by_it(inbound):
    # given: From claims a contact, the envelope sender is elsewhere
    ContactFactory(email="ceo@customer.example")
    raw = raw_email(sender="ceo@customer.example", headers={"Return-Path": "<bounce@attacker.example>"})

    # when
    result = email_ingest(raw, source="inbound")

    # then: stored, flagged, waiting for a person
    message = MailMessage.objects.get(pk=result.message_id)
    assert result.status == "review" and message.is_forged and message.account is None


def test_dmarc_fail_in_authentication_results_is_forged(inbound):
    ContactFactory(email="ceo@customer.example")
    raw = raw_email(
        sender="ceo@customer.example",
        headers={"Authentication-Results": "mx.team.example; spf=pass; dmarc=fail header.from=customer.example"},
    )

    assert email_ingest(raw, source="inbound").status == "review"


def test_an_aligned_envelope_is_not_forged(inbound):
    ContactFactory(email="ceo@customer.example")
    raw = raw_email(sender="ceo@customer.example", headers={"Return-Path": "<bounces@mail.customer.example>"})

    assert email_ingest(raw, source="inbound").status == "matched"


def test_a_zip_bomb_is_described_never_unpacked(inbound):
    # given: 50 MB of zeros compressed to a few kilobytes
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\0" * (50 * 1024 * 1024))
    bomb = buffer.getvalue()
    ContactFactory(email="alice@customer.example")

    # when
    result = email_ingest(raw_email(attachments=[("bomb.zip", "application/zip", bomb)]), source="inbound")

    # then: one attachment named, its encoded size (kilobytes) recorded, nothing inflated or kept
    message = MailMessage.objects.get(pk=result.message_id)
    assert message.attachments == [
        {"filename": "bomb.zip", "content_type": "application/zip", "size": message.attachments[0]["size"]}
    ]
    assert message.attachments[0]["size"] < 200_000
    assert "zeros" not in message.body_text


def test_thousands_of_mime_parts_are_cut_at_the_cap(inbound):
    ContactFactory(email="alice@customer.example")
    attachments = [(f"a{i}.txt", "application/octet-stream", b"x") for i in range(400)]

    message = MailMessage.objects.get(pk=email_ingest(raw_email(attachments=attachments), source="inbound").message_id)

    assert "parts_truncated" in message.flags and len(message.attachments) <= 50


def test_broken_headers_and_charsets_are_stored_not_500(inbound):
    ContactFactory(email="alice@customer.example")
    raw = (
        b"From: Alice <alice@customer.example>\r\nTo: =?bogus?q?x?= <carl@team.example>, ,,<>\r\n"
        b"Subject: =?x-unknown?B?////?=\r\nDate: not a date\r\nMessage-ID: <m@c.example>\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"!!!not base64!!!\r\n"
    )

    result = email_ingest(raw, source="inbound")

    assert result.status == "matched"
