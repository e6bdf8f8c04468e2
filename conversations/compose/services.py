"""Compose: one e-mail per contact, from the account or the person page.

For each recipient, under `translation.override(<the contact's language>)`: the subject and body
(typed, or loaded from one of playbooks' e-mail templates) are rendered with the sandboxed
template engine (`{{ contact.first_name }}`, `{{ account.renewal_date }}`; dates and numbers in
the contact's language), the product's own lines (the footer) are in that language, and the HTML
part says `lang` and `dir`. The message is sent by SMTP (Django's e-mail backend) with our own
Message-ID and Reply-To: the writer and the workspace's inbound address, so the customer's answer
comes back through the inbound path and joins the thread.

Each recipient is one transaction: the thread, the message row, the timeline entry (a touch) and
the fatigue record are written only if the SMTP server took the message. Marketing-like e-mails
first ask the shared fatigue budget (surveys.fatigue); who may not be asked now is skipped with
the reason.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from email.utils import formataddr, make_msgid
from types import SimpleNamespace

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template import TemplateSyntaxError
from django.utils import timezone, translation
from django.utils.html import escape, linebreaks, urlize
from django.utils.translation import gettext as _

from accounts.access import account_write_check
from accounts.models import Account, Contact
from core.languages import language_is_bidi, supported_language
from playbooks.template_context import render_text, template_compile, template_context

from ..email.ingest import message_timeline_put
from ..email.parse import snippet_make
from ..email.threading import thread_for
from ..models import InboundSettings, MailMessage
from .tracking import html_links_track, pixel_url

__all__ = ["MAX_RECIPIENTS", "ComposeResult", "email_compose_send"]

MAX_RECIPIENTS = 50


@dataclass
class ComposeResult:
    """`sent`: MailMessage ids; `skipped` and `failed`: {contact id: reason}."""

    sent: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)


def _check_template(source: str, name: str) -> None:
    try:
        template_compile(source)
    except TemplateSyntaxError as exc:
        raise ValidationError({name: _("This text has a template error: %(error)s") % {"error": exc}}) from exc


def _recipients(account: Account, contact_ids) -> list[Contact]:
    ids = sorted({int(c) for c in contact_ids})
    if not ids:
        raise ValidationError({"recipients": _("Choose at least one contact.")})
    if len(ids) > MAX_RECIPIENTS:
        raise ValidationError({"recipients": _("At most %(n)d contacts at once.") % {"n": MAX_RECIPIENTS}})
    contacts = list(Contact.objects.filter(pk__in=ids, account=account).exclude(email=""))
    if len(contacts) != len(ids):
        raise ValidationError(
            {"recipients": _("Every recipient must be a contact of this account with an e-mail address.")}
        )
    return contacts


def email_compose_send(
    *,
    user,
    account: Account,
    contact_ids,
    subject: str,
    body: str,
    marketing: bool = False,
    tracking: bool = False,
) -> ComposeResult:
    account_write_check(user, account)
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject:
        raise ValidationError({"subject": _("Write a subject.")})
    if not body:
        raise ValidationError({"body": _("Write a message.")})
    _check_template(subject, "subject")
    _check_template(body, "body")
    contacts = _recipients(account, contact_ids)
    result = ComposeResult()
    if marketing:
        from surveys.fatigue import fatigue_check

        check = fatigue_check(contact_ids=[c.pk for c in contacts])
        for contact in contacts:
            if contact.pk in check.recent:
                result.skipped[contact.pk] = _("asked or written to recently (the contact's fatigue budget)")
            elif contact.pk not in check.allowed:
                result.skipped[contact.pk] = _("the account's contacts were asked enough this month")
        contacts = [c for c in contacts if c.pk not in result.skipped]
    config = InboundSettings.load()
    connection = mail.get_connection()
    for contact in contacts:
        try:
            with transaction.atomic():
                result.sent.append(
                    _send_one(
                        user=user,
                        account=account,
                        contact=contact,
                        subject=subject,
                        body=body,
                        marketing=marketing,
                        tracking=tracking,
                        config=config,
                        connection=connection,
                    )
                )
        except (OSError, mail.BadHeaderError) as exc:  # SMTP refused or unreachable: nothing stored
            result.failed[contact.pk] = str(exc)[:300] or exc.__class__.__name__
    return result


def _send_one(*, user, account, contact, subject, body, marketing, tracking, config, connection) -> int:
    language = supported_language(contact.language)
    with translation.override(language):
        context = template_context(playbook=SimpleNamespace(name=""), account=account, contact=contact)
        subject_text = " ".join(render_text(subject, context).split())[:255]
        body_text = render_text(body, context)
        writer = user.get_full_name() or user.username
        footer = _("Reply to this e-mail to reach %(name)s.") % {"name": writer}
    now = timezone.now()
    message_id = make_msgid(domain=settings.INBOUND_EMAIL_DOMAIN)
    thread = thread_for(ids=[message_id], subject=subject_text, sent_at=now, account_id=account.pk)
    row = MailMessage.objects.create(
        thread=thread,
        dedupe_key=hashlib.sha256(f"compose|{message_id}".encode()).hexdigest(),
        message_id=message_id.strip("<>"),
        direction=MailMessage.Direction.OUTBOUND,
        status=MailMessage.Status.REVIEW,
        source=MailMessage.Source.COMPOSE,
        from_address=(user.email or settings.DEFAULT_FROM_EMAIL).lower(),
        from_name=writer,
        to=[contact.email.lower()],
        subject=subject_text,
        snippet=snippet_make(body_text),
        body_text=body_text if config.keep_body else "",
        sent_at=now,
        received_at=now,
        author=user,
        tracking=tracking,
        flags=["marketing"] if marketing else [],
    )
    direction = "rtl" if language_is_bidi(language) else "ltr"
    html = linebreaks(urlize(escape(body_text), nofollow=True))
    html = f'<div lang="{language}" dir="{direction}">{html}<p style="color:#667085">{escape(footer)}</p>'
    if tracking:
        html = html_links_track(html, row.pk) + f'<img src="{pixel_url(row.pk)}" width="1" height="1" alt="">'
    html += "</div>"
    reply_to = [formataddr((writer, user.email))] if user.email else []
    reply_to.append(config.address)
    email = mail.EmailMultiAlternatives(
        subject=subject_text,
        body=f"{body_text}\n\n-- \n{footer}\n",
        from_email=formataddr((writer, settings.DEFAULT_FROM_EMAIL)),
        to=[formataddr((contact.name, contact.email))],
        reply_to=reply_to,
        headers={"Message-ID": message_id, "Content-Language": language},
        connection=connection,
    )
    email.attach_alternative(html, "text/html")
    email.send()
    if marketing:
        from surveys.fatigue import fatigue_record

        fatigue_record(contact_id=contact.pk, channel="email", kind="email", account_id=account.pk)
    message_timeline_put(
        message=row,
        account=account,
        contact=contact,
        how="compose",
        keep_body=config.keep_body,
        author=user,
        thread=thread,
    )
    return row.pk
