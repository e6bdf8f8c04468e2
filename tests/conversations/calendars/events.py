"""Event resources as the providers document them, for the fakes."""

from datetime import UTC, datetime


def iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def google_event(event_id, start, *, minutes=30, attendees=(), title="Quarterly review", status="confirmed", **extra):
    """A Calendar API v3 events#event resource."""
    end = start.timestamp() + minutes * 60
    return {
        "kind": "calendar#event",
        "id": event_id,
        "status": status,
        "summary": title,
        "start": {"dateTime": iso(start)},
        "end": {"dateTime": iso(datetime.fromtimestamp(end, UTC))},
        "organizer": {"email": "csm@team.example", "self": True},
        "attendees": [{"email": "csm@team.example", "self": True, "responseStatus": "accepted"}]
        + [{"email": a, "displayName": a.split("@")[0], "responseStatus": "needsAction"} for a in attendees],
        **extra,
    }


def graph_event(event_id, start, *, minutes=30, attendees=(), title="Quarterly review", **extra):
    """A Graph v1.0 event resource (times in UTC, seven decimals as Graph writes them)."""
    end = datetime.fromtimestamp(start.timestamp() + minutes * 60, UTC)
    fmt = "%Y-%m-%dT%H:%M:%S.0000000"
    return {
        "id": event_id,
        "subject": title,
        "isCancelled": False,
        "type": "singleInstance",
        "start": {"dateTime": start.astimezone(UTC).strftime(fmt), "timeZone": "UTC"},
        "end": {"dateTime": end.strftime(fmt), "timeZone": "UTC"},
        "organizer": {"emailAddress": {"address": "csm@team.example", "name": "CSM"}},
        "attendees": [
            {
                "type": "required",
                "emailAddress": {"address": a, "name": a.split("@")[0]},
                "status": {"response": "none"},
            }
            for a in attendees
        ],
        "location": {"displayName": "Teams"},
        **extra,
    }
