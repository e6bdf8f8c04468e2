"""The one place the renewals app turns sums of account money into the base currency.

Every sum here is grouped by (currency, month) first and converted here, so no figure adds
unconverted money. The conversion belongs to issue 18's base-currency work (h4); until that
lands, amounts already in the base currency pass and every other currency is reported as a
missing rate (shown as a warning / named in the API) and left out of the total. Money closing
in a month still ahead converts at the current month's rate (no later rate exists yet).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.utils import timezone


def base_currency() -> str:
    return getattr(settings, "BASE_CURRENCY", "USD")


def _rate(currency: str, month: date) -> Decimal | None:
    """1 unit of `currency` in the base currency in `month`, or None when unknown."""
    if currency == base_currency():
        return Decimal(1)
    return None


@dataclass
class Converter:
    """Converts (currency, month) amounts, remembering each missing rate once."""

    missing: set[tuple[str, str]] = field(default_factory=set)
    _cache: dict[tuple[str, date], Decimal | None] = field(default_factory=dict)

    def rate(self, currency: str, day: date) -> Decimal | None:
        """The rate of `day`'s month; a day after this month (a close date ahead) converts at
        this month's rate, the latest there can be."""
        month = min(day, timezone.now().date()).replace(day=1)
        key = (currency or base_currency(), month)
        if key not in self._cache:
            self._cache[key] = _rate(key[0], month)
        found = self._cache[key]
        if found is None:
            self.missing.add((key[0], month.strftime("%Y-%m")))
        return found

    def to_base(self, amount, currency: str, day: date) -> Decimal:
        """`amount` in the base currency; 0 (and a missing rate noted) when it cannot be."""
        if not amount:
            return Decimal(0)
        rate = self.rate(currency, day)
        return Decimal(0) if rate is None else Decimal(str(amount)) * rate

    def missing_list(self) -> list[dict]:
        return [{"currency": c, "month": m} for c, m in sorted(self.missing)]


def sum_in_base(rows: Iterable[tuple[object, str, date]]) -> tuple[Decimal, list[dict]]:
    """Σ amount over (amount, currency, day) rows in the base currency, and the missing rates."""
    converter = Converter()
    total = sum((converter.to_base(a, c, d) for a, c, d in rows), Decimal(0))
    return total, converter.missing_list()
