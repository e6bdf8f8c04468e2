"""The one place the renewals app turns sums of account money into the base currency.

Every sum here is grouped by (currency, month) first and converted here with issue 18's rate
table (`accounts.currency`: 1 unit = rate × base, the base at 1), so no figure adds unconverted
money: an amount whose currency has no rate for its month is left out and named (a page warning,
a 409 in the API). Money closing in a month still ahead converts at the current month's rate (no
later rate exists yet).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone

from accounts.currency import base_currency, rates_for_months


def _load_rates(months: Iterable[date]) -> dict[date, dict[str, Decimal]]:
    """{month: {currency: rate}}, the base currency at 1; one read."""
    return rates_for_months(months)


def _month(day: date) -> date:
    return min(day, timezone.now().date()).replace(day=1)


@dataclass
class Converter:
    """Converts (currency, day) amounts at the day's month's rate, remembering each missing rate
    once; `preload(days)` reads the rates of many months at once."""

    missing: set[tuple[str, str]] = field(default_factory=set)
    _rates: dict[date, dict[str, Decimal]] = field(default_factory=dict)

    def preload(self, days: Iterable[date]) -> "Converter":
        months = {_month(d) for d in days} - set(self._rates)
        if months:
            self._rates.update(_load_rates(sorted(months)))
        return self

    def rate(self, currency: str, day: date) -> Decimal | None:
        month = _month(day)
        if month not in self._rates:
            self.preload([month])
        found = self._rates[month].get(currency or base_currency())
        if found is None:
            self.missing.add((currency, month.strftime("%Y-%m")))
        return found

    def to_base(self, amount, currency: str, day: date) -> Decimal:
        """`amount` in the base currency; 0 (and a missing rate noted) when it cannot be."""
        if not amount:
            return Decimal(0)
        rate = self.rate(currency, day)
        return Decimal(0) if rate is None else Decimal(str(amount)) * rate

    def missing_list(self) -> list[dict]:
        return [{"currency": c, "month": m} for c, m in sorted(self.missing)]
