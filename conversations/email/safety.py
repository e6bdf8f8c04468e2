"""What makes a hostile message harmless.

- HTML bodies are sanitised with nh3 (Ammonia's allow-list: no script, style, iframe, form or
  event-handler attributes; links get rel="noopener noreferrer"); the text view of an HTML-only
  message is the same HTML with every tag removed.
- Attachments are described (name, type, encoded size), never decoded, unpacked or stored, so a
  zip bomb stays a few kilobytes of base64 and its name is all that is kept.
- A forged From: the From domain disagrees with the envelope sender's (Return-Path, or what the
  provider reports), or the receiving server's Authentication-Results say DMARC failed. No DKIM
  verification here. A flagged message is never matched by its From address.
"""

from __future__ import annotations

import re
from email.message import EmailMessage

import nh3

__all__ = ["attachment_describe", "from_is_forged", "html_sanitize", "html_to_text"]

MAX_HTML = 2 * 1024 * 1024


def html_sanitize(html: str) -> str:
    return nh3.clean(html[:MAX_HTML], link_rel="noopener noreferrer")


def html_to_text(html: str) -> str:
    text = nh3.clean(re.sub(r"(?i)<(br|/p|/div|/li|/tr|/h\d)\b[^>]*>", "\n", html[:MAX_HTML]), tags=set())
    text = text.replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    return "\n".join(" ".join(line.split()) for line in text.splitlines()).strip()


def attachment_describe(part: EmailMessage) -> dict:
    payload = part.get_payload(decode=False)
    size = len(payload) if isinstance(payload, str | bytes) else 0
    try:
        filename = part.get_filename() or ""
    except Exception:  # noqa: BLE001 - a broken RFC 2231 name
        filename = ""
    return {"filename": str(filename)[:200], "content_type": part.get_content_type()[:100], "size": size}


def _domain(address: str) -> str:
    return address.rpartition("@")[2].lower().strip(">. ")


def _aligned(a: str, b: str) -> bool:
    """Same organisational domain, loosely: equal, or one a subdomain of the other."""
    return a == b or a.endswith("." + b) or b.endswith("." + a)


def from_is_forged(*, from_address: str, envelope_from: str, authentication_results: str) -> bool:
    if re.search(r"\bdmarc=fail\b", authentication_results or "", re.IGNORECASE):
        return True
    if not from_address or not envelope_from or "@" not in envelope_from:
        return False
    return not _aligned(_domain(from_address), _domain(envelope_from))
