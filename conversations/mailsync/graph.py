"""Microsoft Graph v1.0 mail: `GET /me/mailFolders/{folder}/messages/delta` for the inbox and
sent items ("message: delta", learn.microsoft.com/graph/api/message-delta; "Get incremental
changes to messages in a folder", learn.microsoft.com/graph/delta-query-messages). The first
round is filtered to `receivedDateTime ge` the window's start; pages follow `@odata.nextLink`
(kept as the cursor, so a stopped run resumes there), the last gives the `@odata.deltaLink`
for the next run. Each new message is read whole as MIME: `GET /me/messages/{id}/$value`
("Get MIME content of a message", learn.microsoft.com/graph/outlook-get-mime-message).
410 Gone on a stale link: that folder starts over."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

from django.conf import settings

from ..models import ConnectedAccount
from ..remote import RemoteError, SyncTokenExpired, api_get
from .result import MailSyncResult

__all__ = ["FOLDERS", "sync"]

FOLDERS = ("inbox", "sentitems")
PAGE_SIZE = 50


def _start_url(folder: str, since: datetime) -> str:
    stamp = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f"{settings.MICROSOFT_GRAPH_BASE}/me/mailFolders/{folder}/messages/delta"
        f"?$select=id,isDraft&$filter=receivedDateTime+ge+{stamp}"
    )


def _mime(connection: ConnectedAccount, message_id: str) -> bytes | None:
    try:
        return api_get(connection, f"{settings.MICROSOFT_GRAPH_BASE}/me/messages/{message_id}/$value").content
    except RemoteError as exc:
        if exc.status == 404:
            return None
        raise


def _folder(connection, cursor: dict, folder: str, *, since, ingest, result: MailSyncResult) -> None:
    url = cursor.get(folder) or _start_url(folder, since)
    result.full = result.full or folder not in cursor
    headers = {"Prefer": f"odata.maxpagesize={PAGE_SIZE}"}
    while True:
        body = api_get(connection, url, headers=headers).json()
        for item in body.get("value") or []:
            if "@removed" in item or item.get("isDraft"):
                continue
            raw = _mime(connection, item["id"])
            if raw is None:
                continue
            result.fetched += 1
            result.count(ingest(raw, connection=connection, external_id=item["id"]))
        url = body.get("@odata.nextLink") or body.get("@odata.deltaLink") or ""
        cursor[folder] = url
        connection.mail_cursor = json.dumps(cursor)
        connection.save(update_fields=["mail_cursor", "updated_at"])
        if not body.get("@odata.nextLink"):
            return


def sync(connection: ConnectedAccount, cursor: dict, *, since: datetime, ingest: Callable) -> MailSyncResult:
    result = MailSyncResult()
    cursor = dict(cursor)
    for folder in FOLDERS:
        try:
            _folder(connection, cursor, folder, since=since, ingest=ingest, result=result)
        except SyncTokenExpired:
            cursor.pop(folder, None)
            _folder(connection, cursor, folder, since=since, ingest=ingest, result=result)
    result.cursor = cursor
    return result
