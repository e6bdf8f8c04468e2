"""One connection's calendar sync: fetch changes from the stored cursor (or everything from
the window's start), store each event (`store.meeting_upsert`), keep the new cursor. A full
sync (first run, 410 Gone, a rolled Graph window, every CalDAV run) also sweeps meetings the
calendar no longer has. Safe to run twice: events are upserted by their instance id."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from ..models import ConnectedAccount, Provider
from ..remote import SyncTokenExpired
from . import caldav_sync, google, graph
from .matching import match_rules
from .store import EventData, meeting_remove, meeting_upsert, meetings_sweep

__all__ = ["CalendarSyncResult", "calendar_sync"]

FETCHERS = {Provider.GOOGLE: google.fetch, Provider.MICROSOFT: graph.fetch, Provider.CALDAV: caldav_sync.fetch}


@dataclass
class CalendarSyncResult:
    full: bool = False
    events: int = 0
    stored: int = 0
    removed: int = 0


def _load(cursor: str) -> dict:
    try:
        value = json.loads(cursor or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _needs_full(connection: ConnectedAccount, cursor: dict, now: datetime) -> bool:
    if connection.provider == Provider.CALDAV or not cursor:
        return True
    if connection.provider == Provider.MICROSOFT:
        return graph.window_expired(cursor, now=now)
    return not cursor.get("token")


def calendar_sync(*, connection: ConnectedAccount, now: datetime | None = None) -> CalendarSyncResult:
    now = now or timezone.now()
    since = now - timedelta(days=settings.CONVERSATIONS_MEETINGS_PAST_DAYS)
    rules = match_rules(own=(connection.email,))
    result = CalendarSyncResult()
    seen: set[str] = set()

    def on_page(events: list[EventData]) -> None:
        for event in events:
            result.events += 1
            if event.cancelled:
                result.removed += meeting_remove(connection=connection, external_id=event.external_id)
                continue
            seen.add(event.external_id)
            if meeting_upsert(connection=connection, event=event, rules=rules) is not None:
                result.stored += 1

    cursor = _load(connection.calendar_cursor)
    result.full = _needs_full(connection, cursor, now)
    fetch = FETCHERS[connection.provider]
    try:
        new_cursor = fetch(connection, {} if result.full else cursor, since=since, on_page=on_page)
    except SyncTokenExpired:
        result.full, seen = True, set()
        new_cursor = fetch(connection, {}, since=since, on_page=on_page)
    if result.full:
        result.removed += meetings_sweep(connection=connection, seen=seen, since=since)
    connection.calendar_cursor = json.dumps(new_cursor)
    connection.calendar_synced_at = timezone.now()
    connection.save(update_fields=["calendar_cursor", "calendar_synced_at", "updated_at"])
    return result
