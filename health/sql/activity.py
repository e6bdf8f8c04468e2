"""The rollup figures of the admin's event measures and the accounts' subscriptions for the
calibrated measures (health.measures_activity), through the ORM (the same statements on
PostgreSQL and SQLite: the JSON key lookups are Django's). The activity figures themselves
come from usage.rollups.usage_window_stats, the query the usage measures already run."""

from collections.abc import Sequence
from datetime import date, timedelta

from django.db.models import BigIntegerField, Count, IntegerField, Min, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Mod

from accounts.models import Subscription
from core.db import is_postgresql
from usage.models import AccountDailyUsage
from usage.rollups import account_filter

from .rows import id_clause, int_rows

__all__ = [
    "RECENT_DAYS",
    "EveryKth",
    "event_rows",
    "event_rows_days",
    "event_names_seen",
    "narrow",
    "paid_seats_and_start",
]


class EveryKth:
    """The accounts whose id is a multiple of k: a population sample filtered in SQL (a
    modulus), not by a list of thousands of ids."""

    def __init__(self, k: int):
        self.k = k


def narrow(queryset, accounts, field: str = "account_id"):
    """account_filter, or the EveryKth sample."""
    if isinstance(accounts, EveryKth):
        if accounts.k <= 1:
            return queryset
        return queryset.annotate(_sample=Mod(field, accounts.k)).filter(_sample=0)
    return account_filter(queryset, accounts, field=field)


RECENT_DAYS = 30  # the window measured


def event_rows(*, as_of: date, account_ids, names: Sequence[str], prior_names: Sequence[str] = ()) -> dict[int, tuple]:
    """Per account with a rollup row in the window: for each of `names`, (its count in the
    30 days ending `as_of`, the days it occurred on), then for each of `prior_names` its
    count in the 30 days before. One grouped query over 30 days of rollups (60 with
    `prior_names`); one JSON lookup per name and row."""
    recent = as_of - timedelta(days=RECENT_DAYS - 1)
    start = recent - timedelta(days=RECENT_DAYS) if prior_names else recent
    if not names and not prior_names:
        return {}
    if is_postgresql():
        return _event_rows_postgresql(account_ids, names, prior_names, start, recent, as_of)
    in_recent, in_prior = Q(day__gte=recent), Q(day__lt=recent)
    aggregates = {}
    # Sums come back NULL when no row counts (the caller reads them as 0): no Coalesce, so
    # no per-value converter in Python.
    for i, name in enumerate(names):
        count = Cast(KT(f"features__{name}"), IntegerField())
        aggregates[f"n{i}"] = Sum(count, filter=in_recent, output_field=BigIntegerField())
        aggregates[f"d{i}"] = Count(count, filter=in_recent)
    for i, name in enumerate(prior_names):
        count = Cast(KT(f"features__{name}"), IntegerField())
        aggregates[f"p{i}"] = Sum(count, filter=in_prior, output_field=BigIntegerField())
    if not aggregates:
        return {}
    rows = narrow(AccountDailyUsage.objects.filter(day__gte=start, day__lte=as_of), account_ids)
    fields = list(aggregates)
    return {
        row[0]: row[1:]
        for row in rows.values("account_id").annotate(**aggregates).values_list("account_id", *fields).order_by()
    }


def _event_rows_postgresql(account_ids, names, prior_names, start, recent, as_of) -> dict[int, tuple]:
    """event_rows on PostgreSQL: packed integer rows (health.sql.int_rows), no per-value
    Python conversion."""
    params: dict = {"start": start, "recent": recent, "as_of": as_of}
    terms = []
    for i, name in enumerate(names):
        params[f"n{i}"] = name
        value = f"(features ->> %(n{i})s)::int8"
        terms.append(f"coalesce(sum({value}) FILTER (WHERE day >= %(recent)s), 0)")
        terms.append(f"count({value}) FILTER (WHERE day >= %(recent)s)")
    for i, name in enumerate(prior_names):
        params[f"p{i}"] = name
        terms.append(f"coalesce(sum((features ->> %(p{i})s)::int8) FILTER (WHERE day < %(recent)s), 0)")
    if isinstance(account_ids, EveryKth):
        params["k"] = account_ids.k
        where = "account_id %% %(k)s = 0"
    elif account_ids is None:
        where = "true"
    else:
        where = id_clause(account_ids, params)
    rows = int_rows(
        f"SELECT account_id, {', '.join(terms)} FROM {AccountDailyUsage._meta.db_table} "
        f"WHERE day >= %(start)s AND day <= %(as_of)s AND {where} GROUP BY account_id",
        params,
        1 + len(terms),
    )
    return {row[0]: tuple(row[1:]) for row in rows.tolist()}


def paid_seats_and_start(*, as_of: date, account_ids) -> dict[int, tuple[int | None, date]]:
    """Per account with a paid subscription: (seats of those active on `as_of`, the first
    start date of any). One grouped query."""
    active = (Q(end_date__isnull=True) | Q(end_date__gt=as_of)) & Q(start_date__lte=as_of)
    rows = narrow(Subscription.objects.paid(), account_ids)
    return {
        account_id: (seats, first)
        for account_id, seats, first in rows.values("account_id")
        .annotate(seats=Sum("seats", filter=active & Q(seats__isnull=False)), first=Min("start_date"))
        .values_list("account_id", "seats", "first")
        .order_by()
    }


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


def event_rows_days(*, account_ids, names: Sequence[str], base: date, last: date) -> list[tuple]:
    """The rollup rows from `base` to `last` of these accounts that hold any of `names`:
    (account_id, day, count of each name or None), for a history (health.measures_activity)."""
    if not names:
        return []
    counts = {f"n{i}": Cast(KT(f"features__{name}"), IntegerField()) for i, name in enumerate(names)}
    has_any = Q()
    for name in names:
        has_any |= Q(features__has_key=name)
    rows = narrow(AccountDailyUsage.objects.filter(has_any, day__gte=base, day__lte=last), account_ids)
    return list(rows.annotate(**counts).values_list("account_id", "day", *counts).order_by())
