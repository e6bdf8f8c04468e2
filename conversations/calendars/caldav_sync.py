"""CalDAV calendars (RFC 4791) through the `caldav` library: every run asks each of the user's
calendars for the events in the sync window (a `calendar-query` time-range REPORT), with
recurring events expanded into their instances on our side (`expand="client"`, which uses
`recurring-ical-events`, so servers that do not expand behave the same). Each instance's id is
its UID plus RECURRENCE-ID. CalDAV has no portable change feed for expanded instances, so the
run is a full window each time and `sync` sweeps away the meetings it no longer saw."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import caldav
from django.conf import settings

from ..models import ConnectedAccount
from ..remote import RemoteError
from .store import EventData

__all__ = ["event_data", "fetch"]


def _as_datetime(value) -> datetime | None:
    if value is None:
        return None
    value = getattr(value, "dt", value)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=UTC)
    return None


def _address(value) -> str:
    text = str(value or "")
    return text[7:] if text.lower().startswith("mailto:") else text


def event_data(component) -> EventData | None:
    """One VEVENT (one instance once expanded) as EventData."""
    uid = str(component.get("UID") or "")
    if not uid:
        return None
    starts_at = _as_datetime(component.get("DTSTART"))
    ends_at = _as_datetime(component.get("DTEND"))
    if ends_at is None and starts_at is not None and component.get("DURATION") is not None:
        ends_at = starts_at + component.get("DURATION").dt
    recurrence = _as_datetime(component.get("RECURRENCE-ID"))
    external_id = f"{uid}/{recurrence.isoformat()}" if recurrence else uid
    if starts_at is None:
        return None
    raw = component.get("ATTENDEE") or []
    raw = raw if isinstance(raw, list) else [raw]
    attendees = tuple((_address(a), str(a.params.get("CN", "")) if hasattr(a, "params") else "") for a in raw)
    return EventData(
        external_id=external_id,
        title=str(component.get("SUMMARY") or ""),
        starts_at=starts_at,
        ends_at=ends_at or starts_at,
        attendees=tuple(a for a in attendees if "@" in a[0]),
        organizer=_address(component.get("ORGANIZER")),
        location=str(component.get("LOCATION") or ""),
        cancelled=str(component.get("STATUS") or "").upper() == "CANCELLED",
    )


def fetch(
    connection: ConnectedAccount, cursor: dict, *, since: datetime, on_page: Callable[[list[EventData]], None]
) -> dict:
    until = datetime.now(UTC) + timedelta(days=settings.CONVERSATIONS_MEETINGS_AHEAD_DAYS)
    try:
        client = caldav.DAVClient(
            url=connection.caldav_url, username=connection.email, password=connection.password, timeout=30
        )
        calendars = client.principal().calendars()
        for calendar in calendars:
            objects = calendar.search(start=since, end=until, event=True, expand="client")
            page = []
            for obj in objects:
                for component in obj.icalendar_instance.walk("VEVENT"):
                    event = event_data(component)
                    if event is not None:
                        page.append(event)
            on_page(page)
    except caldav.lib.error.AuthorizationError as exc:  # the password changed: the user reconnects
        raise RemoteError(f"CalDAV {connection.caldav_url}: the server refused the credentials", status=401) from exc
    except caldav.lib.error.DAVError as exc:
        raise RemoteError(f"CalDAV {connection.caldav_url}: {exc}") from exc
    except OSError as exc:  # refused, reset, DNS: requests' ConnectionError is one
        raise RemoteError(f"CalDAV {connection.caldav_url}: {exc}") from exc
    return {"full": True}
