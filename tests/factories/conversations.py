"""Raw e-mails for the conversations tests, built with the standard library."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone


def raw_email(
    *,
    sender: str = "alice@customer.example",
    to: str | list[str] = "carl@team.example",
    cc: str | list[str] = "",
    subject: str = "Question about the renewal",
    text: str = "Hello, could we talk about the renewal next week?",
    html: str = "",
    message_id: str | None = None,
    in_reply_to: str = "",
    references: str = "",
    date=None,
    headers: dict | None = None,
    attachments: list[tuple[str, str, bytes]] = (),
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to) if isinstance(to, list) else to
    if cc:
        message["Cc"] = ", ".join(cc) if isinstance(cc, list) else cc
    message["Subject"] = subject
    message["Date"] = format_datetime(date or timezone.now())
    message["Message-ID"] = message_id if message_id is not None else make_msgid(domain="customer.example")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    for filename, ctype, data in attachments:
        maintype, subtype = ctype.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()
