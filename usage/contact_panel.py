"""The person page's "Product usage" panel (registered on `accounts.panels` in apps.py): the
contact's active days (from the per-day contact rollup), the features they use most and their
events, newest first, paged by a keyset cursor. A constant number of queries per page."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .models import AccountDailyContact, UsageEvent

__all__ = [
    "EVENTS_PAGE",
    "contact_active_days",
    "contact_events_page",
    "contact_top_events",
    "contact_usage_panel_context",
    "event_cursor_parse",
]

EVENTS_PAGE = 15
WINDOW_DAYS = 90


def contact_active_days(*, contact, days: int = WINDOW_DAYS, today: date | None = None) -> dict:
    """{"days": [{"day", "active"}] oldest first, "active_30d", "active_90d"}: one query."""
    today = today or timezone.now().date()
    first = today - timedelta(days=days - 1)
    if contact.account_id is None:
        active: set[date] = set()
    else:
        active = set(
            AccountDailyContact.objects.filter(
                account_id=contact.account_id, contact_id=contact.pk, day__gte=first, day__lte=today
            ).values_list("day", flat=True)
        )
    cells = [{"day": first + timedelta(days=i), "active": (first + timedelta(days=i)) in active} for i in range(days)]
    recent = today - timedelta(days=29)
    return {"days": cells, "active_30d": sum(1 for d in active if d >= recent), "active_90d": len(active)}


def contact_top_events(*, contact, days: int = WINDOW_DAYS, limit: int = 8, now: datetime | None = None) -> list[dict]:
    """The event names they sent most in the last `days` days, [{"event", "n", "share"}]: one query."""
    if contact.account_id is None:
        return []
    since = (now or timezone.now()) - timedelta(days=days)
    rows = list(
        UsageEvent.objects.filter(account_id=contact.account_id, contact_id=contact.pk, occurred_at__gte=since)
        .values("event")
        .annotate(n=Count("id"))
        .order_by("-n", "event")[:limit]
    )
    top = rows[0]["n"] if rows else 0
    for row in rows:
        row["share"] = round(100 * row["n"] / top) if top else 0
    return rows


def event_cursor_parse(value: str) -> tuple[datetime, int] | None:
    """`<ISO time>|<id>` (the last event of the previous page) -> (occurred_at, id), None if malformed."""
    when, _, ident = (value or "").rpartition("|")
    moment = parse_datetime(when) if when else None
    if moment is None or not ident.isdigit() or timezone.is_naive(moment):
        return None
    return moment, int(ident)


def contact_events_page(
    *, contact, before: tuple[datetime, int] | None = None, limit: int = EVENTS_PAGE
) -> tuple[list[UsageEvent], str | None]:
    """A page of their events, newest first, and the cursor of the next page (None at the end)."""
    if contact.account_id is None:
        return [], None
    qs = UsageEvent.objects.filter(account_id=contact.account_id, contact_id=contact.pk)
    if before is not None:
        at, ident = before
        qs = qs.filter(Q(occurred_at__lt=at) | Q(occurred_at=at, id__lt=ident))
    rows = list(qs.only("id", "event", "occurred_at", "properties").order_by("-occurred_at", "-id")[: limit + 1])
    page = rows[:limit]
    cursor = f"{page[-1].occurred_at.isoformat()}|{page[-1].pk}" if len(rows) > limit else None
    return page, cursor


def contact_usage_panel_context(request, contact) -> dict:
    """Three queries: active days, top events, the first page of events."""
    events, cursor = contact_events_page(contact=contact)
    return {
        "contact": contact,
        "activity": contact_active_days(contact=contact),
        "top_events": contact_top_events(contact=contact),
        "events": events,
        "cursor": cursor,
    }
