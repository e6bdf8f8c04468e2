"""Sums in the base currency: each amount at its month's rate, a month ahead at this month's,
a missing rate named and never added."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from renewals import money


@pytest.fixture
def eur_rates(monkeypatch):
    this_month = timezone.now().date().replace(day=1)
    table = {date(2026, 1, 1): Decimal("1.10"), date(2026, 2, 1): Decimal("1.20"), this_month: Decimal("1.05")}
    reads = []

    def load(months):
        months = list(months)
        reads.append(months)
        return {m: {"USD": Decimal(1), **({"EUR": table[m]} if m in table else {})} for m in months}

    monkeypatch.setattr(money, "_load_rates", load)
    return reads


def test_each_month_at_its_rate_one_read_and_missing_named(eur_rates):
    converter = money.Converter().preload([date(2026, 1, 15), date(2026, 2, 3), date(2026, 3, 9)])
    assert converter.to_base(Decimal("100"), "EUR", date(2026, 1, 31)) == Decimal("110.00")
    assert converter.to_base(Decimal("100"), "EUR", date(2026, 2, 1)) == Decimal("120.00")
    assert converter.to_base(Decimal("100"), "USD", date(2026, 3, 1)) == Decimal("100")
    assert converter.to_base(Decimal("100"), "EUR", date(2026, 3, 1)) == Decimal(0)  # no March rate
    assert converter.missing_list() == [{"currency": "EUR", "month": "2026-03"}]
    assert len(eur_rates) == 1  # preloaded: one read for the three months


def test_a_month_ahead_converts_at_this_months_rate(eur_rates):
    ahead = date(timezone.now().year + 1, 6, 30)
    assert money.Converter().to_base(Decimal("100"), "EUR", ahead) == Decimal("105.00")
