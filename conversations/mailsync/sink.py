"""Where synced messages go: the inbound e-mail path (`conversations.email.email_ingest`), as
the connection's user's mailbox, so threading, matching, the review queue and "a message twice
is stored once" are the same as for every other way mail arrives."""

from __future__ import annotations

import logging

from ..email import IngestRefused, IngestResult, email_ingest
from ..email.ingest import IngestContext
from ..models import ConnectedAccount, MailMessage, Provider

__all__ = ["message_ingest"]

log = logging.getLogger(__name__)

SOURCES = {Provider.GOOGLE: MailMessage.Source.GMAIL, Provider.MICROSOFT: MailMessage.Source.GRAPH}


def message_ingest(
    raw: bytes, *, connection: ConnectedAccount, external_id: str = "", context: IngestContext | None = None
) -> IngestResult | str:
    """Ingest one fetched message; a refused one (too large, not an e-mail) is logged and
    skipped, so one bad message does not stop the mailbox's sync. `context`: the inbound
    settings read once for the run."""
    try:
        return email_ingest(
            raw, source=SOURCES[connection.provider], mailbox=connection.email, user=connection.user, context=context
        )
    except IngestRefused as exc:
        log.info("message %s of connection %s refused: %s", external_id, connection.pk, exc.reason)
        return "refused"
