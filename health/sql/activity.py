"""The rollup figures of the admin's event measures and the accounts' subscriptions for the
calibrated measures (health.measures_activity), through the ORM (the same statements on
PostgreSQL and SQLite: the JSON key lookups are Django's). The activity figures themselves
come from usage.rollups.usage_window_stats, the query the usage measures already run."""

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
from django.db.models import BigIntegerField, Count, IntegerField, Min, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Mod

from accounts.models import Subscription
from core.db import is_postgresql
from usage.models import AccountDailyUsage
from usage.rollups import account_filter

from .rows import SERIAL_ABOVE, id_clause, int_rows, serial_plan

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


def event_rows(
    *,
    as_of: date,
    account_ids,
    names: Sequence[str],
    day_names: Sequence[str] = (),
    prior_names: Sequence[str] = (),
) -> tuple[list[int], np.ndarray]:
    """The accounts with a rollup row in the window, and per account an int64 row: the count
    of each of `names` in the 30 days ending `as_of`, then the days each of `day_names`
    occurred on in them, then the count of each of `prior_names` in the 30 days before (0
    where none). One grouped query over 30 days of rollups (60 with `prior_names`), one JSON
    lookup per name and row; a figure no measure reads is not asked for (the lookups are
    most of its time)."""
    recent = as_of - timedelta(days=RECENT_DAYS - 1)
    start = recent - timedelta(days=RECENT_DAYS) if prior_names else recent
    width = len(names) + len(day_names) + len(prior_names)
    if not width:
        return [], np.zeros((0, 0), dtype=np.int64)
    if is_postgresql():
        return _event_rows_postgresql(account_ids, (names, day_names, prior_names), start, recent, as_of)
    # Every row of a 30-day window is recent: no FILTER then.
    in_recent = Q(day__gte=recent) if prior_names else None
    aggregates = {}
    for i, name in enumerate(names):
        count = Cast(KT(f"features__{name}"), IntegerField())
        aggregates[f"n{i}"] = Sum(count, filter=in_recent, output_field=BigIntegerField())
    for i, name in enumerate(day_names):
        aggregates[f"d{i}"] = Count(Cast(KT(f"features__{name}"), IntegerField()), filter=in_recent)
    for i, name in enumerate(prior_names):
        count = Cast(KT(f"features__{name}"), IntegerField())
        aggregates[f"p{i}"] = Sum(count, filter=Q(day__lt=recent), output_field=BigIntegerField())
    rows = narrow(AccountDailyUsage.objects.filter(day__gte=start, day__lte=as_of), account_ids)
    fields = list(aggregates)
    fetched = list(rows.values("account_id").annotate(**aggregates).values_list("account_id", *fields).order_by())
    # Sums come back NULL when no row counts: 0.
    matrix = np.array([[v or 0 for v in row[1:]] for row in fetched], dtype=np.int64).reshape(-1, width)
    return [row[0] for row in fetched], matrix


def _event_rows_postgresql(account_ids, names: tuple, start, recent, as_of) -> tuple[list[int], np.ndarray]:
    """event_rows on PostgreSQL: packed integer rows (health.sql.int_rows), no per-value
    Python conversion; a chunk's query on one core (health.sql.rows.serial_plan)."""
    names, day_names, prior_names = names
    params: dict = {"start": start, "recent": recent, "as_of": as_of}
    in_recent = " FILTER (WHERE day >= %(recent)s)" if prior_names else ""
    terms = []
    for i, name in enumerate(names):
        params[f"n{i}"] = name
        terms.append(f"coalesce(sum((features ->> %(n{i})s)::int8){in_recent}, 0)")
    for i, name in enumerate(day_names):
        params[f"d{i}"] = name
        terms.append(f"count((features ->> %(d{i})s)::int8){in_recent}")
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
    with serial_plan(account_ids is None or isinstance(account_ids, EveryKth) or len(account_ids) > SERIAL_ABOVE):
        rows = int_rows(
            f"SELECT account_id, {', '.join(terms)} FROM {AccountDailyUsage._meta.db_table} "
            f"WHERE day >= %(start)s AND day <= %(as_of)s AND {where} GROUP BY account_id",
            params,
            1 + len(terms),
        )
    return rows[:, 0].tolist(), rows[:, 1:]


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
