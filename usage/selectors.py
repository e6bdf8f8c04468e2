"""Reads of the usage floor for pages of the floors below (registered upward in apps.py)."""

from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext

from .models import AccountDailyUsage

__all__ = ["account_usage_context", "account_usage_series"]


def account_usage_series(*, account_id: int, days: int = 90, today: date | None = None) -> dict:
    """Daily events and active users over the last `days` days (from the daily rollup), zero-filled."""
    today = today or timezone.now().date()
    first = today - timedelta(days=days - 1)
    rows = dict(
        (day, (events, users))
        for day, events, users in AccountDailyUsage.objects.filter(
            account_id=account_id, day__gte=first, day__lte=today
        ).values_list("day", "events", "active_contacts")
    )
    labels, events, users = [], [], []
    for offset in range(days):
        day = first + timedelta(days=offset)
        labels.append(day.isoformat())
        e, u = rows.get(day, (0, 0))
        events.append(e)
        users.append(u)
    last30, prev30 = sum(events[-30:]), sum(events[-60:-30])
    return {
        "labels": labels,
        "events": events,
        "users": users,
        "events_30d": last30,
        "events_change": (last30 - prev30) / prev30 if prev30 else None,
        "peak_users_30d": max(users[-30:], default=0),
    }


def account_usage_context(account) -> dict:
    """The account 360 page's usage KPI (`usage`) and chart data (`usage_chart`): one query."""
    usage = account_usage_series(account_id=account.pk, days=90)
    chart = {k: usage[k] for k in ("labels", "events", "users")}
    chart["legend"] = {"events": gettext("Events"), "users": gettext("Active users")}  # the chart's tooltips
    return {"usage": usage, "usage_chart": chart}
