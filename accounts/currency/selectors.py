"""Which rates a sum needs and lacks, and the rate table's pages (admin list)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.db import connection
from django.db.models import QuerySet

from accounts.models import FxRate, Subscription

from .rates import month_start, rates_for_months

__all__ = ["accounts_missing_base", "fx_rate_list", "missing_rates", "subscription_missing_rates"]


def missing_rates(*, currencies: Iterable[str], months: Iterable[date]) -> list[tuple[str, date]]:
    """The (currency, month) pairs among `currencies` x `months` with no rate (the base
    currency never misses). One query."""
    table = rates_for_months(months)
    return sorted(
        (currency, month) for month, known in table.items() for currency in set(currencies) if currency not in known
    )


def subscription_missing_rates(*, days: Sequence[date], accounts: QuerySet | None = None) -> list[tuple[str, date]]:
    """For each day, the currencies of paid subscriptions active that day (in `accounts`) that
    have no rate for the day's month: [(currency, month)], sorted. Two queries whatever the
    number of days: the rates, then one pass over the subscriptions in currencies without a
    rate joined to the days (index ranges around the known currencies)."""
    days = sorted(set(days))
    if not days:
        return []
    table = rates_for_months(days)
    sub = Subscription._meta.db_table
    adapt = connection.ops.adapt_datefield_value
    day_rows = " UNION ALL ".join("SELECT %s AS day" for _ in days)
    # Only subscriptions in a currency that lacks a rate in some of these months can be missing:
    # skip the currencies every month knows with index ranges between them (nothing to read
    # when every currency in use has its rates, the usual case).
    known = sorted(set.intersection(*(set(rates) for rates in table.values())))
    ranges = ["s.currency < %s"] + ["(s.currency > %s AND s.currency < %s)"] * (len(known) - 1) + ["s.currency > %s"]
    range_params = [known[0], *[code for pair in zip(known, known[1:], strict=False) for code in pair], known[-1]]
    slice_sql, slice_params = "", []
    if accounts is not None and accounts.query.where:
        inner, params = accounts.order_by().values("id").query.sql_with_params()
        slice_sql, slice_params = f" AND s.account_id IN ({inner})", list(params)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT DISTINCT s.currency, m.day
            FROM {sub} s JOIN ({day_rows}) m
              ON s.start_date <= m.day AND (s.end_date IS NULL OR s.end_date > m.day)
            WHERE ({" OR ".join(ranges)}) AND s.is_trial = %s AND s.mrr > 0{slice_sql}
            """,
            [*[adapt(d) for d in days], *range_params, False, *slice_params],
        )
        pairs = cursor.fetchall()
    out = set()
    for currency, day in pairs:
        month = month_start(day if isinstance(day, date) else date.fromisoformat(str(day)[:10]))
        if currency not in table[month]:
            out.add((currency, month))
    return sorted(out)


def accounts_missing_base(*, accounts: QuerySet) -> QuerySet:
    """Paying accounts whose base-currency MRR is unknown (a rate is missing)."""
    return accounts.filter(mrr__gt=0, mrr_base__isnull=True)


def fx_rate_list(*, currency: str = "", year: int | None = None) -> QuerySet:
    rates = FxRate.objects.all()
    if currency:
        rates = rates.filter(currency=currency.upper())
    if year:
        rates = rates.filter(month__year=year)
    return rates.order_by("-month", "currency")
