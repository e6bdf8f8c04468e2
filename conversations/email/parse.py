"""One raw message → the fields conversations keep, with the standard library's `email` package
(`policy.default`). Lenient like a mail client: a bad header or charset leaves a defect flag, not
an exception; bounded: at most `MAX_PARTS` MIME parts are walked."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from django.utils import timezone

from .safety import attachment_describe, html_sanitize, html_to_text

__all__ = ["MAX_PARTS", "Parsed", "message_id_key", "message_parse", "snippet_make"]

MAX_PARTS = 200
MSGID = re.compile(r"<([^<>\s]{1,900})>")


@dataclass
class Parsed:
    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    from_address: str = ""
    from_name: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    return_path: str = ""
    authentication_results: str = ""
    subject: str = ""
    sent_at: datetime | None = None
    text: str = ""
    html: str = ""
    attachments: list[dict] = field(default_factory=list)
    defects: int = 0
    body_digest: str = ""

    @property
    def addresses(self) -> list[str]:
        seen: dict[str, None] = {}
        for address in [self.from_address, *self.to, *self.cc]:
            if address:
                seen.setdefault(address, None)
        return list(seen)


def message_id_key(message_id: str) -> str:
    """The normalised Message-ID (no brackets, no case in the domain part) as SHA-256 hex."""
    value = message_id.strip().strip("<>").strip()
    local, _at, domain = value.rpartition("@")
    value = f"{local}@{domain.lower()}" if local else value
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


def _ids(value) -> list[str]:
    return MSGID.findall(str(value or ""))[:100]


def _header(message: EmailMessage, name: str) -> str:
    try:
        return str(message.get(name, "") or "")
    except Exception:  # noqa: BLE001 - a header the policy cannot parse is left out, like a mail client would
        return ""


def _addresses(message: EmailMessage, name: str, names: dict[str, str]) -> list[str]:
    raw = []
    try:
        raw = message.get_all(name, []) or []
    except Exception:  # noqa: BLE001
        raw = []
    found = []
    for display, address in getaddresses([str(v) for v in raw]):
        address = address.strip().lower()
        if "@" not in address or len(address) > 254 or " " in address:
            continue
        if display and address not in names:
            names[address] = display.strip()[:255]
        if address not in found:
            found.append(address)
    return found[:200]


def _content(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except Exception:  # noqa: BLE001 - unknown charset or broken transfer encoding
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload)
    if isinstance(content, bytes):
        content = content.decode("utf-8", "replace")
    return str(content)


def message_parse(raw: bytes) -> Parsed:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    parsed = Parsed()
    parsed.defects = len(message.defects)
    own = _ids(_header(message, "Message-ID"))
    parsed.message_id = own[0] if own else ""
    parsed.in_reply_to = _ids(_header(message, "In-Reply-To"))
    parsed.references = _ids(_header(message, "References"))
    names: dict[str, str] = {}
    senders = _addresses(message, "From", names)
    parsed.from_address = senders[0] if senders else ""
    parsed.from_name = names.get(parsed.from_address, "")
    parsed.to = _addresses(message, "To", names)
    parsed.cc = _addresses(message, "Cc", names)
    parsed.names = names
    return_paths = _ids(_header(message, "Return-Path")) or [_header(message, "Return-Path").strip("<> ")]
    parsed.return_path = (return_paths[0] if return_paths else "").lower()
    parsed.authentication_results = " ".join(str(v) for v in (message.get_all("Authentication-Results") or []))
    parsed.subject = " ".join(_header(message, "Subject").split())[:255]
    date = _header(message, "Date")
    try:
        sent = parsedate_to_datetime(date) if date else None
    except (TypeError, ValueError, IndexError):
        sent = None
    if sent is not None and timezone.is_naive(sent):
        sent = sent.replace(tzinfo=UTC)
    parsed.sent_at = sent

    texts: list[str] = []
    htmls: list[str] = []
    for count, part in enumerate(message.walk()):
        if count >= MAX_PARTS:
            parsed.attachments.append({"filename": "", "content_type": "", "size": 0, "truncated": True})
            break
        if part.is_multipart():
            continue
        parsed.defects += len(part.defects)
        disposition = part.get_content_disposition()
        ctype = part.get_content_type()
        if disposition == "attachment" or not ctype.startswith("text/") or (disposition and part.get_filename()):
            parsed.attachments.append(attachment_describe(part))
        elif ctype == "text/html":
            htmls.append(_content(part))
        elif ctype == "text/plain":
            texts.append(_content(part))
    parsed.html = html_sanitize("\n".join(htmls)) if htmls else ""
    parsed.text = "\n".join(texts).strip() if texts else html_to_text(parsed.html)
    parsed.body_digest = hashlib.sha256((parsed.text or parsed.html).encode("utf-8", "replace")).hexdigest()
    return parsed


QUOTE_START = re.compile(r"^(On .{0,200} wrote:|-----Original Message-----|From: .+)$", re.IGNORECASE)


def snippet_make(text: str, limit: int = 200) -> str:
    """The first words of what this message adds: quoted lines and the quote header left out."""
    kept = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(">"):
            continue
        if QUOTE_START.match(stripped):
            break
        kept.append(stripped)
    words = " ".join(" ".join(kept).split())
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"
