"""Inbound e-mail: one entry point, `email_ingest(raw, *, source, mailbox=...)`, that every path
feeds (the inbound address's endpoint, provider webhooks, IMAP, Gmail / Microsoft 365 sync).

- `parse`: RFC 5322 with the standard library (`email.policy.default`), bounded and lenient
- `safety`: HTML sanitised with nh3, attachments described (never decoded or unpacked), forged From
- `matching`: addresses → contacts → account, else the domain (reused by meetings)
- `threading`: Message-ID / In-Reply-To / References → one thread
- `ingest`: the entry point (atomic per message, a message twice stored once)
- `review`: the review queue's services (assign, create contact, ignore; in bulk)
"""

from .ingest import IngestRefused, IngestResult, email_ingest
from .matching import AddressMatch, addresses_match, team_domains

__all__ = ["AddressMatch", "IngestRefused", "IngestResult", "addresses_match", "email_ingest", "team_domains"]
