"""Which rates a sum needs and lacks, and the rate table's pages (admin list)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.db.models import QuerySet

from accounts.models import FxRate, Subscription

from .rates import base_currency, month_start, rates_for_months

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
    have no rate for the day's month: [(currency, month)], sorted. One query per distinct month
    with a non-base currency in use (usually none or one)."""
    table = rates_for_months(days)
    out: set[tuple[str, date]] = set()
    base = Subscription.objects.paid().filter(mrr__gt=0).exclude(currency=base_currency())
    if accounts is not None and accounts.query.where:
        base = base.filter(account__in=accounts.order_by().values("id"))
    for day in sorted(set(days)):
        month = month_start(day)
        codes = (
            base.active_on(day).exclude(currency__in=list(table[month])).order_by().values_list("currency", flat=True)
        )
        out.update((code, month) for code in codes.distinct())
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
