"""The rollup figures of the calibrated activity measures and the admin's event measures
(health.measures_activity): one aggregate over the 90 days of daily rollups ending `as_of`
per chunk of accounts, through the ORM (the same statement on PostgreSQL and SQLite: the
JSON key lookups are Django's)."""

from collections.abc import Sequence
from datetime import date, timedelta

from django.db.models import BigIntegerField, Count, IntegerField, Min, Q, Sum, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce

from usage.models import AccountDailyContact, AccountDailyUsage
from usage.rollups import account_filter

__all__ = ["ACTIVITY_DAYS", "RECENT_DAYS", "active_users", "activity_rows", "event_names_seen"]

RECENT_DAYS = 30  # the window measured
ACTIVITY_DAYS = 90  # the window read: the recent 30 days and the 60 before (the baseline)


def activity_rows(*, as_of: date, account_ids: Sequence[int] | None, names: Sequence[str]) -> dict[int, tuple]:
    """Per account with a rollup row in the 90 days ending `as_of`: (events in the last 30
    days, events in the 60 before, active days in the last 30, first day with a row), then
    for each event name: (its count in the 30 days, days it occurred in the 30, its count
    in the 60 before). One grouped query."""
    recent = as_of - timedelta(days=RECENT_DAYS - 1)
    start = as_of - timedelta(days=ACTIVITY_DAYS - 1)
    in_recent, in_prior = Q(day__gte=recent), Q(day__lt=recent)
    zero = Value(0, output_field=BigIntegerField())
    aggregates = {
        "e30": Coalesce(Sum("events", filter=in_recent), zero, output_field=BigIntegerField()),
        "eprior": Coalesce(Sum("events", filter=in_prior), zero, output_field=BigIntegerField()),
        "active": Count("id", filter=in_recent & Q(events__gt=0)),
        "first": Min("day"),
    }
    for i, name in enumerate(names):
        count = Cast(KT(f"features__{_key(name)}"), IntegerField())
        aggregates[f"n{i}"] = Coalesce(Sum(count, filter=in_recent), zero, output_field=BigIntegerField())
        aggregates[f"d{i}"] = Count("id", filter=in_recent & Q(**{"features__has_key": name}))
        aggregates[f"p{i}"] = Coalesce(Sum(count, filter=in_prior), zero, output_field=BigIntegerField())
    rows = account_filter(AccountDailyUsage.objects.filter(day__gte=start, day__lte=as_of), account_ids)
    fields = list(aggregates)
    return {
        row[0]: row[1:]
        for row in rows.values("account_id").annotate(**aggregates).values_list("account_id", *fields).order_by()
    }


def _key(name: str) -> str:
    # KT("features__a__b") walks nested keys: event names with "__" are read as one key by
    # has_key, and by KT only when they hold no "__" (the editor refuses such names).
    return name


def active_users(*, as_of: date, account_ids: Sequence[int] | None) -> dict[int, int]:
    """Distinct contacts active in the 30 days ending `as_of`, per account (one query)."""
    recent = as_of - timedelta(days=RECENT_DAYS - 1)
    rows = account_filter(AccountDailyContact.objects.filter(day__gte=recent, day__lte=as_of), account_ids)
    return dict(
        rows.values("account_id")
        .annotate(n=Count("contact_id", distinct=True))
        .values_list("account_id", "n")
        .order_by()
    )


def event_names_seen(*, account_ids: Sequence[int], start: date, end: date) -> list[tuple[str, int, int]]:
    """(event name, accounts using it, events) over these accounts' rollups from `start` to
    `end`, most accounts first (then most events, then name). The rollups' JSON is read in
    Python: callers pass a sample of accounts, not the book."""
    accounts: dict[str, set] = {}
    counts: dict[str, int] = {}
    rows = account_filter(AccountDailyUsage.objects.filter(day__gte=start, day__lte=end), account_ids)
    for account_id, features in rows.values_list("account_id", "features").iterator(chunk_size=5000):
        for name, n in (features or {}).items():
            accounts.setdefault(name, set()).add(account_id)
            counts[name] = counts.get(name, 0) + int(n or 0)
    return sorted(((n, len(a), counts[n]) for n, a in accounts.items()), key=lambda r: (-r[1], -r[2], r[0]))
