"""Google Calendar API v3, `events.list` on the primary calendar
(developers.google.com/calendar/api/v3/reference/events/list and the "Synchronize resources
efficiently" guide, developers.google.com/calendar/api/guides/sync): a full sync from
`timeMin` with `singleEvents=true` (recurring events come as their instances), paged by
`pageToken`; the last page's `nextSyncToken` is kept and the next run asks only for changes
(`syncToken`), which include cancelled instances (`status: cancelled`). A 410 Gone means the
token expired: the caller starts over in full."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time

from django.conf import settings
from django.utils.dateparse import parse_date, parse_datetime

from ..models import ConnectedAccount
from ..remote import api_get
from .store import EventData

__all__ = ["event_data", "fetch"]

PAGE_SIZE = 250


def _when(value: dict) -> datetime | None:
    if value.get("dateTime"):
        parsed = parse_datetime(value["dateTime"])
        if parsed is not None and parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed
    if value.get("date"):  # an all-day event: midnight UTC
        day = parse_date(value["date"])
        return datetime.combine(day, time(0), tzinfo=UTC) if day else None
    return None


def event_data(item: dict, *, own_email: str) -> EventData | None:
    """An events#event resource as EventData (None when it has no usable time)."""
    cancelled = item.get("status") == "cancelled"
    attendees = [a for a in item.get("attendees") or [] if a.get("email") and not a.get("resource")]
    declined = any(
        (a.get("self") or a["email"].lower() == own_email) and a.get("responseStatus") == "declined" for a in attendees
    )
    starts_at, ends_at = _when(item.get("start") or {}), _when(item.get("end") or {})
    if cancelled or declined or starts_at is None:
        return EventData(
            external_id=item["id"],
            title="",
            starts_at=starts_at or datetime.now(UTC),
            ends_at=ends_at or datetime.now(UTC),
            cancelled=True,
        )
    return EventData(
        external_id=item["id"],
        title=item.get("summary") or "",
        starts_at=starts_at,
        ends_at=ends_at or starts_at,
        attendees=tuple((a["email"], a.get("displayName") or "") for a in attendees),
        organizer=(item.get("organizer") or {}).get("email", ""),
        location=item.get("location") or "",
        extra={"recurring_event_id": item.get("recurringEventId", "")},
    )


def fetch(
    connection: ConnectedAccount, cursor: dict, *, since: datetime, on_page: Callable[[list[EventData]], None]
) -> dict:
    """Hand each page of events to `on_page`; return the new cursor ({"token": nextSyncToken})."""
    url = f"{settings.GOOGLE_API_BASE}/calendar/v3/calendars/primary/events"
    params: dict = {"singleEvents": "true", "maxResults": PAGE_SIZE}
    if cursor.get("token"):
        params["syncToken"] = cursor["token"]
    else:
        params["timeMin"] = since.astimezone(UTC).isoformat().replace("+00:00", "Z")
    own = connection.email.lower()
    while True:
        body = api_get(connection, url, params=params).json()
        page = [e for e in (event_data(item, own_email=own) for item in body.get("items") or []) if e is not None]
        on_page(page)
        if body.get("nextPageToken"):
            params = {k: v for k, v in params.items() if k != "pageToken"} | {"pageToken": body["nextPageToken"]}
            continue
        return {"token": body.get("nextSyncToken", "")}
