"""Microsoft Graph v1.0 calendar: `GET /me/calendarView/delta` ("event: delta",
learn.microsoft.com/graph/api/event-delta and "Get incremental changes to events in a
calendar view", learn.microsoft.com/graph/delta-query-events). The calendar view expands
recurring series into their occurrences within a window fixed by the first request; pages
follow `@odata.nextLink`, the last one gives `@odata.deltaLink`, kept for the next run (changes
only: `@removed` or `isCancelled` events are cancelled). The window rolls: once half of the
look-ahead has passed, the next run starts a new window in full. 410 Gone: start over."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils.dateparse import parse_datetime

from ..models import ConnectedAccount
from ..remote import api_get
from .store import EventData

__all__ = ["event_data", "fetch", "window_expired"]

PAGE_SIZE = 100


def _when(value: dict) -> datetime | None:
    raw = (value or {}).get("dateTime")
    if not raw:
        return None
    parsed = parse_datetime(raw[:26])  # Graph sends seven decimals: "2026-12-08T15:00:00.0000000"
    if parsed is None:
        return None
    # we ask for UTC (Prefer: outlook.timezone="UTC"), which is also Graph's default
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def event_data(item: dict, *, own_email: str) -> EventData:
    starts_at, ends_at = _when(item.get("start")), _when(item.get("end"))
    declined = ((item.get("responseStatus") or {}).get("response") or "") == "declined"
    if "@removed" in item or item.get("isCancelled") or declined or starts_at is None:
        now = datetime.now(UTC)
        return EventData(external_id=item["id"], title="", starts_at=now, ends_at=now, cancelled=True)
    attendees = tuple(
        ((a.get("emailAddress") or {}).get("address", ""), (a.get("emailAddress") or {}).get("name", ""))
        for a in item.get("attendees") or []
        if (a.get("type") != "resource") and (a.get("emailAddress") or {}).get("address")
    )
    return EventData(
        external_id=item["id"],
        title=item.get("subject") or "",
        starts_at=starts_at,
        ends_at=ends_at or starts_at,
        attendees=attendees,
        organizer=((item.get("organizer") or {}).get("emailAddress") or {}).get("address", ""),
        location=(item.get("location") or {}).get("displayName", ""),
        extra={"series_master_id": item.get("seriesMasterId", "")},
    )


def window_expired(cursor: dict, *, now: datetime) -> bool:
    end = parse_datetime(cursor.get("window_end", "")) if cursor.get("window_end") else None
    return end is None or end - now < timedelta(days=settings.CONVERSATIONS_MEETINGS_AHEAD_DAYS / 2)


def fetch(
    connection: ConnectedAccount, cursor: dict, *, since: datetime, on_page: Callable[[list[EventData]], None]
) -> dict:
    headers = {"Prefer": f'odata.maxpagesize={PAGE_SIZE}, outlook.timezone="UTC"'}
    if cursor.get("delta"):
        url, params, window_end = cursor["delta"], None, cursor["window_end"]
    else:
        until = datetime.now(UTC) + timedelta(days=settings.CONVERSATIONS_MEETINGS_AHEAD_DAYS)
        url = f"{settings.MICROSOFT_GRAPH_BASE}/me/calendarView/delta"
        fmt = "%Y-%m-%dT%H:%M:%SZ"
        params = {"startDateTime": since.astimezone(UTC).strftime(fmt), "endDateTime": until.strftime(fmt)}
        window_end = until.isoformat()
    own = connection.email.lower()
    while True:
        body = api_get(connection, url, params=params, headers=headers).json()
        on_page([event_data(item, own_email=own) for item in body.get("value") or []])
        if body.get("@odata.nextLink"):
            url, params = body["@odata.nextLink"], None
            continue
        return {"delta": body.get("@odata.deltaLink", ""), "window_end": window_end}
