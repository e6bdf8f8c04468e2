"""Gmail API v1 (developers.google.com/gmail/api/guides/sync, "Synchronizing clients with
Gmail"): the first run reads `users.getProfile`'s `historyId`, then lists the recent messages
(`users.messages.list`, paged) and fetches each with `format=raw`; later runs ask
`users.history.list?startHistoryId=…&historyTypes=messageAdded` for what was added since.
Gmail answers 404 for a `startHistoryId` too old to serve (the guide's "full sync" case, where
Calendar and Graph say 410): both start over in full. Drafts and spam are skipped."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import datetime

from django.conf import settings

from ..models import ConnectedAccount
from ..remote import RemoteError, SyncTokenExpired, api_get
from .result import MailSyncResult

__all__ = ["SKIP_LABELS", "sync"]

SKIP_LABELS = {"DRAFT", "SPAM", "TRASH"}
PAGE_SIZE = 100


def _base() -> str:
    return f"{settings.GOOGLE_GMAIL_BASE}/gmail/v1/users/me"


def _raw(connection: ConnectedAccount, message_id: str) -> tuple[bytes, set[str]] | None:
    try:
        body = api_get(connection, f"{_base()}/messages/{message_id}", params={"format": "raw"}).json()
    except RemoteError as exc:
        if exc.status == 404:  # deleted between the listing and the fetch
            return None
        raise
    labels = set(body.get("labelIds") or [])
    raw = body.get("raw") or ""
    return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)), labels


def _save(connection: ConnectedAccount, cursor: dict) -> None:
    connection.mail_cursor = json.dumps(cursor)
    connection.save(update_fields=["mail_cursor", "updated_at"])


def _take(connection, message_ids, ingest, result: MailSyncResult) -> None:
    for message_id in message_ids:
        fetched = _raw(connection, message_id)
        if fetched is None:
            continue
        raw, labels = fetched
        if labels & SKIP_LABELS:
            continue
        result.fetched += 1
        result.count(ingest(raw, connection=connection, external_id=message_id))


def _full(connection, cursor: dict, *, since: datetime, ingest, result: MailSyncResult) -> dict:
    result.full = True
    if not cursor.get("history_id"):  # a full pass starts by noting where history stands now
        cursor = {"history_id": api_get(connection, f"{_base()}/profile").json()["historyId"], "phase": "full"}
        _save(connection, cursor)
    params = {"maxResults": PAGE_SIZE, "q": f"after:{int(since.timestamp())}"}
    while True:
        if cursor.get("page"):
            params["pageToken"] = cursor["page"]
        body = api_get(connection, f"{_base()}/messages", params=params).json()
        _take(connection, [m["id"] for m in body.get("messages") or []], ingest, result)
        if not body.get("nextPageToken"):
            return {"history_id": cursor["history_id"]}
        cursor = {**cursor, "page": body["nextPageToken"]}
        _save(connection, cursor)


def _history(connection, cursor: dict, *, ingest, result: MailSyncResult) -> dict:
    params = {"startHistoryId": cursor["history_id"], "historyTypes": "messageAdded", "maxResults": PAGE_SIZE}
    while True:
        if cursor.get("page"):
            params["pageToken"] = cursor["page"]
        try:
            body = api_get(connection, f"{_base()}/history", params=params).json()
        except RemoteError as exc:
            if exc.status == 404:
                raise SyncTokenExpired(str(exc), status=404) from exc
            raise
        added = []
        for record in body.get("history") or []:
            for item in record.get("messagesAdded") or []:
                message = item.get("message") or {}
                if message.get("id") and not set(message.get("labelIds") or []) & SKIP_LABELS:
                    added.append(message["id"])
        _take(connection, list(dict.fromkeys(added)), ingest, result)
        if not body.get("nextPageToken"):
            return {"history_id": body.get("historyId") or cursor["history_id"]}
        cursor = {**cursor, "page": body["nextPageToken"]}
        _save(connection, cursor)


def sync(connection: ConnectedAccount, cursor: dict, *, since: datetime, ingest: Callable) -> MailSyncResult:
    result = MailSyncResult()
    if cursor.get("history_id") and cursor.get("phase") != "full":
        try:
            result.cursor = _history(connection, cursor, ingest=ingest, result=result)
            return result
        except SyncTokenExpired:
            cursor = {}
    result.cursor = _full(connection, cursor, since=since, ingest=ingest, result=result)
    return result
