"""The one entry point for every e-mail that arrives: `email_ingest(raw, *, source, mailbox=...)`.

The inbound address's endpoint, the provider webhooks, the IMAP poller and Gmail / Microsoft 365
sync each call it once per message. It:

1. refuses what is too large (`INBOUND_EMAIL_MAX_BYTES`, 25 MB) or not an e-mail at all
   (`IngestRefused`, with a reason; the HTTP endpoints answer 413 / 400 with it);
2. answers `duplicate` for a message it has stored already (`MailMessage.dedupe_key`: the
   Message-ID with the sender and the body's digest; no Message-ID: sender, date, subject, body);
3. ignores internal-only messages (every address the team's) and messages whose customers are
   all at excluded domains: a row without content remembers them, nothing goes on a timeline;
4. otherwise threads it, matches it (`matching.addresses_match`; a thread already on an account
   keeps its messages there) and, matched, puts it on the account's timeline as an e-mail (a touch:
   `accounts.services.activity_create` moves `last_touch_at`), or leaves it in the review queue.

Each message is one transaction: its thread, keys, row and timeline entry are written together,
or not at all. Safe to call twice with the same bytes (and concurrently: the unique key decides).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import ActivityKind
from accounts.models import Account, Contact
from accounts.services import activity_create

from ..models import InboundSettings, MailMessage, MailThread
from .matching import AddressMatch, addresses_match, domain_in, domain_of, team_domains
from .parse import Parsed, message_id_key, message_parse, snippet_make
from .safety import from_is_forged
from .threading import thread_for

__all__ = ["IngestContext", "IngestRefused", "IngestResult", "email_ingest", "ingest_context", "message_timeline_put"]

logger = logging.getLogger(__name__)


class IngestRefused(Exception):
    """The message is not taken: `reason` says why (shown to the sender's software), `status`
    is the HTTP status the endpoints answer (413 too large, 400 not an e-mail)."""

    def __init__(self, reason: str, status: int = 400):
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class IngestResult:
    """`status`: "matched" (on an account's timeline), "review" (waiting in the review queue),
    "internal" / "excluded" (remembered, not shown), or "duplicate" (stored before: `message_id`
    is the earlier row)."""

    status: str
    message_id: int | None = None
    thread_id: int | None = None
    account_id: int | None = None

    @property
    def created(self) -> bool:
        return self.status != "duplicate"


@dataclass(frozen=True)
class IngestContext:
    """The workspace's settings and team domains, read once for a batch of messages (an IMAP
    chunk, a sync page, the bench) instead of once per message."""

    config: InboundSettings
    team: frozenset[str]


def ingest_context() -> IngestContext:
    config = InboundSettings.load()
    return IngestContext(config=config, team=frozenset(team_domains(config.team_domains)))


def max_bytes() -> int:
    return int(settings.INBOUND_EMAIL_MAX_BYTES)


def dedupe_key_for(parsed: Parsed) -> str:
    if parsed.message_id:
        basis = f"mid|{message_id_key(parsed.message_id)}|{parsed.from_address}|{parsed.body_digest}"
    else:
        sent = parsed.sent_at.isoformat() if parsed.sent_at else ""
        basis = f"raw|{parsed.from_address}|{sent}|{parsed.subject}|{parsed.body_digest}"
    return hashlib.sha256(basis.encode("utf-8", "replace")).hexdigest()


def email_ingest(
    raw: bytes,
    *,
    source: str,
    mailbox: str = "",
    envelope_from: str = "",
    user=None,
    received_at: datetime | None = None,
    context: IngestContext | None = None,
) -> IngestResult:
    """Take one raw RFC 5322 message from `source` (a `MailMessage.Source` value; `mailbox`: the
    IMAP mailbox or the synced user's address; `envelope_from`: the SMTP MAIL FROM when the path
    knows it, else the Return-Path header is used; `user`: whose mailbox it came from, the author of
    what they sent; `context`: `ingest_context()` shared by a batch). Raises `IngestRefused`;
    never half-writes."""
    if source not in MailMessage.Source.values:
        raise ValueError(f"source must be one of {', '.join(MailMessage.Source.values)}")
    if not isinstance(raw, bytes | bytearray):
        raise IngestRefused(_("The message must be raw bytes (message/rfc822)."))
    if len(raw) > max_bytes():
        raise IngestRefused(
            _("The message is %(size)s bytes; the limit is %(limit)s bytes.")
            % {"size": len(raw), "limit": max_bytes()},
            status=413,
        )
    if not raw.strip():
        raise IngestRefused(_("The message is empty."))
    parsed = message_parse(bytes(raw))
    if not parsed.addresses:
        raise IngestRefused(_("This is not an e-mail message: it has no From, To or Cc address."))
    key = dedupe_key_for(parsed)
    earlier = MailMessage.objects.filter(dedupe_key=key).values_list("pk", "thread_id", "account_id").first()
    if earlier:
        return IngestResult("duplicate", *earlier)

    context = context or ingest_context()
    config, team = context.config, context.team
    forged = from_is_forged(
        from_address=parsed.from_address,
        envelope_from=envelope_from or parsed.return_path,
        authentication_results=parsed.authentication_results,
    )
    match = addresses_match(
        parsed.addresses,
        prefer=parsed.from_address,
        team=team,
        excluded=config.excluded_domains,
        ignore=[parsed.from_address] if forged else [],
    )
    outbound = (
        bool(parsed.from_address) and not forged and domain_in(domain_of(parsed.from_address), team, subdomains=False)
    )
    try:
        with transaction.atomic():
            return _store(parsed, key, raw, match, config, source, mailbox, user, received_at, forged, outbound)
    except IntegrityError:
        # the same message stored meanwhile by another path (its unique key): stored once
        earlier = MailMessage.objects.filter(dedupe_key=key).values_list("pk", "thread_id", "account_id").first()
        if earlier is None:
            raise
        return IngestResult("duplicate", *earlier)


def _store(
    parsed: Parsed,
    key: str,
    raw: bytes,
    match: AddressMatch,
    config: InboundSettings,
    source: str,
    mailbox: str,
    user,
    received_at: datetime | None,
    forged: bool,
    outbound: bool,
) -> IngestResult:
    now = timezone.now()
    sent_at = parsed.sent_at or received_at or now
    if sent_at > now:
        sent_at = now  # a sender's clock in the future does not make a touch tomorrow
    common = {
        "dedupe_key": key,
        "message_id": parsed.message_id[:998],
        "source": source,
        "mailbox": mailbox[:255],
        "sent_at": sent_at,
        "received_at": received_at or now,
        "size": len(raw),
        "direction": MailMessage.Direction.OUTBOUND if outbound else MailMessage.Direction.INBOUND,
    }
    if match.reason in ("internal", "excluded"):
        # remembered (so a second copy is a duplicate), not kept: no addresses, subject or body
        row = MailMessage.objects.create(status=match.reason, **common)
        return IngestResult(match.reason, row.pk, None, None)

    flags = []
    if forged:
        flags.append("forged_from")
    if parsed.defects:
        flags.append("defects")
    if any(a.get("truncated") for a in parsed.attachments):
        flags.append("parts_truncated")
    thread = thread_for(
        ids=[parsed.message_id, *parsed.in_reply_to, *parsed.references],
        subject=parsed.subject,
        sent_at=sent_at,
        account_id=match.account_id,
    )
    account_id = match.account_id
    how = match.how
    if account_id is None and thread.account_id is not None and not forged:
        account_id, how = thread.account_id, "thread"
    row = MailMessage.objects.create(
        thread=thread,
        status=MailMessage.Status.REVIEW,
        from_address=parsed.from_address,
        from_name=parsed.from_name,
        to=parsed.to,
        cc=parsed.cc,
        subject=parsed.subject,
        snippet=snippet_make(parsed.text),
        body_text=parsed.text if config.keep_body else "",
        body_html=parsed.html if config.keep_body else "",
        attachments=parsed.attachments[:50],
        flags=flags,
        author=user if outbound else None,
        **common,
    )
    if account_id is not None:
        contact_address = parsed.from_address if not outbound else next(iter(parsed.to + parsed.cc), "")
        contact_id = match.contact_for(contact_address) if how == "contact" else None
        if contact_id is None and how == "contact":
            contact_id = next((c for c in match.contacts.values() if match.contact_accounts[c] == account_id), None)
        # the matcher read both from the database just now: no need to load them again
        account = Account(pk=account_id)
        contact = Contact(pk=contact_id, account_id=account_id) if contact_id else None
        message_timeline_put(
            message=row, account=account, contact=contact, how=how, keep_body=config.keep_body, thread=thread
        )
    return IngestResult(row.status, row.pk, thread.pk, row.account_id)


def message_timeline_put(
    *,
    message: MailMessage,
    account: Account,
    contact_id: int | None = None,
    contact: Contact | None = None,
    how: str,
    keep_body: bool | None = None,
    author=None,
    thread=None,
) -> MailMessage:
    """Put a stored message on the account's timeline (kind "email": a touch) and mark it matched;
    its thread joins the account when it has none. Used by ingest, the review queue and compose.
    `contact` (known to be the account's) or `contact_id` (checked); `thread`: the message's, when
    the caller has it."""
    if keep_body is None:
        keep_body = InboundSettings.load().keep_body
    if contact is None and contact_id:
        contact = Contact.objects.filter(pk=contact_id, account=account).first()
    subject = message.subject or _("(no subject)")
    body = (message.body_text if keep_body else "") or message.snippet
    participants = [message.from_address, *message.to, *message.cc]
    activity = activity_create(
        account=account,
        kind=ActivityKind.EMAIL,
        author=author,
        subject=subject,
        body=body[:20000] or subject,
        occurred_at=message.sent_at,
        contact=contact,
        metadata={
            "mail_message_id": message.pk,
            "thread_id": message.thread_id,
            "direction": message.direction,
            "from": message.from_address,
            "participants": participants[:50],
            "source": message.source,
            "matched_by": how,
            "forged_from": message.is_forged,
        },
    )
    message.account = account
    message.contact = contact
    message.activity = activity
    message.status = MailMessage.Status.MATCHED
    message.save(update_fields=["account", "contact", "activity", "status"])
    if message.thread_id and (thread is None or thread.account_id is None):
        MailThread.objects.filter(pk=message.thread_id, account__isnull=True).update(account=account)
        if thread is not None:
            thread.account_id = account.pk
    return message
