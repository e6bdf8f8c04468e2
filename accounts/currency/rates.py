"""Reads of the exchange-rate table and the conversion helpers every floor uses.

Rule (docs/metrics.md "Currency"): money on a day converts at the rate of that day's month;
the base currency converts at 1; a currency without a rate for that month is *missing*: the
amount is never added unconverted (Python helpers raise `MissingRate`, the SQL expression is
NULL, so SUM leaves it out, and callers report `missing_rates`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from accounts.models import FxRate

__all__ = [
    "MissingRate",
    "base_currency",
    "convert",
    "month_start",
    "rate_sql",
    "rates_for_months",
]


def base_currency() -> str:
    """settings.BASE_CURRENCY, checked to be a 3-letter code (it is inlined in SQL)."""
    code = settings.BASE_CURRENCY
    if not (isinstance(code, str) and len(code) == 3 and code.isalpha() and code.isupper()):
        raise ImproperlyConfigured("BASE_CURRENCY must be a three-letter ISO 4217 code, e.g. USD.")
    return code


def month_start(day: date) -> date:
    return date(day.year, day.month, 1)


class MissingRate(ValueError):
    """Money that cannot be converted: `missing` is a sorted list of (currency, month)."""

    def __init__(self, missing: Iterable[tuple[str, date]]):
        self.missing = sorted(set(missing))
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return _("No exchange rate to %(base)s for %(pairs)s.") % {
            "base": base_currency(),
            "pairs": ", ".join(f"{c} {m:%Y-%m}" for c, m in self.missing),
        }

    def as_list(self) -> list[dict]:
        return [{"currency": c, "month": f"{m:%Y-%m}"} for c, m in self.missing]


def rates_for_months(months: Iterable[date]) -> dict[date, dict[str, Decimal]]:
    """{month: {currency: rate}} for the given months (first days; any day is truncated), the
    base currency at 1 in each. One query."""
    wanted = sorted({month_start(m) for m in months})
    out: dict[date, dict[str, Decimal]] = {m: {base_currency(): Decimal(1)} for m in wanted}
    if wanted:
        for currency, month, rate in FxRate.objects.filter(month__in=wanted).values_list("currency", "month", "rate"):
            if currency != base_currency():
                out[month][currency] = rate
    return out


def convert(*, amount: Decimal, currency: str, day: date, rates: dict | None = None) -> Decimal:
    """`amount` of `currency` on `day` in the base currency (not rounded). `rates` is a
    `rates_for_months` result to reuse; raises MissingRate."""
    month = month_start(day)
    if currency == base_currency():
        return Decimal(amount)
    table = rates if rates is not None and month in rates else rates_for_months([month])
    rate = table[month].get(currency)
    if rate is None:
        raise MissingRate([(currency, month)])
    return Decimal(amount) * rate


def rate_sql(column: str, day: date, rates: dict | None = None, *, missing: str = "NULL") -> str:
    """A SQL expression: the rate of the currency in `column` for `day`'s month, NULL where
    there is none (so `SUM(amount * rate)` never adds unconverted money; `missing="0"` makes
    such money count as 0 instead, for sums that must stay non-null). The rates are
    inlined as numeric literals (they come from the table, never from a request) and the
    codes are checked to be 3 letters, so the expression has no parameters."""
    month = month_start(day)
    table = rates if rates is not None and month in rates else rates_for_months([month])
    whens = " ".join(
        f"WHEN '{code}' THEN {Decimal(rate):f}"
        for code, rate in sorted(table[month].items())
        if len(code) == 3 and code.isalpha() and code.isupper()
    )
    if missing not in ("NULL", "0"):
        raise ValueError("missing must be 'NULL' or '0'")
    return f"(CASE {column} {whens} ELSE {missing} END)"
