"""Polling an IMAP mailbox (the standard library's imaplib), by UID.

Each poll: select the folder read-only (nothing is marked seen, moved or deleted); if the
folder's UIDVALIDITY changed, start again from UID 1 (the dedupe key keeps copies out); search
`UID last+1:*`; for each chunk of UIDs ask the sizes first and download only messages within the
limit (a larger one is skipped and counted, never downloaded); ingest each message and record
its UID at once, so a poll cut short resumes after the last message it stored. Two polls of one
mailbox never overlap (a claim in the shared cache).
"""

from __future__ import annotations

import imaplib
import logging
import re
import ssl
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from ..models import ImapMailbox
from .ingest import IngestContext, IngestRefused, email_ingest, ingest_context, max_bytes

__all__ = ["ImapPollResult", "imap_poll"]

logger = logging.getLogger(__name__)

CHUNK = 50
TIMEOUT = 30
LOCK_SECONDS = 15 * 60
UID_RE = re.compile(rb"UID (\d+)")
SIZE_RE = re.compile(rb"RFC822\.SIZE (\d+)")


@dataclass
class ImapPollResult:
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    refused: int = 0
    skipped: bool = False
    error: str = ""


def _connect(mailbox: ImapMailbox) -> imaplib.IMAP4:
    if mailbox.security == ImapMailbox.Security.SSL:
        return imaplib.IMAP4_SSL(mailbox.host, mailbox.port, ssl_context=ssl.create_default_context(), timeout=TIMEOUT)
    client = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT)
    if mailbox.security == ImapMailbox.Security.STARTTLS:
        client.starttls(ssl_context=ssl.create_default_context())
    return client


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(typ: str, data, what: str) -> None:
    if typ != "OK":
        raise imaplib.IMAP4.error(f"{what}: {typ} {data!r}"[:500])


def imap_poll(*, mailbox_id: int, limit: int | None = None) -> ImapPollResult:
    """Fetch what is new in one mailbox (at most `limit` messages this run, for chunked work)."""
    key = f"conversations:imap:{mailbox_id}"
    if not cache.add(key, 1, timeout=LOCK_SECONDS):
        return ImapPollResult(skipped=True)
    try:
        mailbox = ImapMailbox.objects.get(pk=mailbox_id)
        result = ImapPollResult()
        try:
            _poll(mailbox, result, limit)
        except (imaplib.IMAP4.error, OSError, ssl.SSLError) as exc:
            result.error = str(exc)[:2000] or exc.__class__.__name__
            logger.warning("IMAP poll of mailbox %s failed: %s", mailbox_id, result.error)
        ImapMailbox.objects.filter(pk=mailbox_id).update(last_polled_at=timezone.now(), last_error=result.error)
        return result
    finally:
        cache.delete(key)


def _poll(mailbox: ImapMailbox, result: ImapPollResult, limit: int | None) -> None:
    client = _connect(mailbox)
    try:
        _check(*client.login(mailbox.username, mailbox.password), "LOGIN")
        _check(*client.select(_quoted(mailbox.folder), readonly=True), "SELECT")
        _typ, validity = client.response("UIDVALIDITY")
        uidvalidity = int(validity[0]) if validity and validity[0] else None
        if uidvalidity != mailbox.uidvalidity:
            mailbox.uidvalidity = uidvalidity
            mailbox.last_uid = 0
            ImapMailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=uidvalidity, last_uid=0)
        typ, data = client.uid("SEARCH", f"UID {mailbox.last_uid + 1}:*")
        _check(typ, data, "SEARCH")
        uids = sorted(int(u) for u in (data[0] or b"").split() if int(u) > mailbox.last_uid)
        if limit is not None:
            uids = uids[:limit]
        for start in range(0, len(uids), CHUNK):
            _chunk(client, mailbox, uids[start : start + CHUNK], result, ingest_context())
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            pass


def _chunk(
    client: imaplib.IMAP4, mailbox: ImapMailbox, uids: list[int], result: ImapPollResult, context: IngestContext
) -> None:
    typ, data = client.uid("FETCH", ",".join(map(str, uids)), "(UID RFC822.SIZE)")
    _check(typ, data, "FETCH sizes")
    sizes: dict[int, int] = {}
    for item in data:
        line = item[0] if isinstance(item, tuple) else item
        found_uid, found_size = UID_RE.search(line or b""), SIZE_RE.search(line or b"")
        if found_uid and found_size:
            sizes[int(found_uid.group(1))] = int(found_size.group(1))
    for uid in uids:
        if sizes.get(uid, 0) > max_bytes():
            result.refused += 1
            logger.warning("IMAP mailbox %s: UID %s is %s bytes, over the limit; skipped", mailbox.pk, uid, sizes[uid])
        else:
            typ, data = client.uid("FETCH", str(uid), "(UID BODY.PEEK[])")
            _check(typ, data, "FETCH")
            raw = next((item[1] for item in data if isinstance(item, tuple) and len(item) > 1), None)
            if raw is not None:
                result.fetched += 1
                try:
                    ingested = email_ingest(raw, source="imap", mailbox=mailbox.name, context=context)
                except IngestRefused:
                    result.refused += 1
                else:
                    if ingested.created:
                        result.stored += 1
                    else:
                        result.duplicates += 1
        ImapMailbox.objects.filter(pk=mailbox.pk, last_uid__lt=uid).update(last_uid=uid)
        mailbox.last_uid = uid
