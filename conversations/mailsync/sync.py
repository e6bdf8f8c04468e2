"""One connection's mailbox sync (Gmail or Microsoft 365), from its stored cursor."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.utils import timezone

from ..email.ingest import ingest_context
from ..models import ConnectedAccount, Provider
from . import gmail, graph
from .result import MailSyncResult
from .sink import message_ingest

__all__ = ["mail_sync"]

SYNCERS = {Provider.GOOGLE: gmail.sync, Provider.MICROSOFT: graph.sync}


def mail_sync(
    *, connection: ConnectedAccount, ingest: Callable | None = None, now: datetime | None = None
) -> MailSyncResult:
    """Fetch what arrived since the last run and hand each message to `ingest` (the inbound
    e-mail path by default). The cursor is kept page by page; the run can be repeated."""
    ingest = ingest or partial(message_ingest, context=ingest_context())  # settings read once per run
    now = now or timezone.now()
    try:
        cursor = json.loads(connection.mail_cursor or "{}")
    except ValueError:
        cursor = {}
    since = now - timedelta(days=settings.CONVERSATIONS_MEETINGS_PAST_DAYS)
    result = SYNCERS[connection.provider](
        connection, cursor if isinstance(cursor, dict) else {}, since=since, ingest=ingest
    )
    connection.mail_cursor = json.dumps(result.cursor)
    connection.mail_synced_at = timezone.now()
    connection.save(update_fields=["mail_cursor", "mail_synced_at", "updated_at"])
    return result
