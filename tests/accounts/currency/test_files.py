from decimal import Decimal

import pytest

from accounts.currency.files import RateFileInvalid, ecb_monthly_rates, rates_from_csv

ECB = """Date,USD,JPY,GBP,XYZ,
2026-02-02,1.2000,170.00,0.9000,N/A,
2026-01-05,1.1200,N/A,0.8600,N/A,
2026-01-02,1.1000,160.00,0.8500,N/A,
"""


def test_ecb_rows_become_monthly_averages_of_daily_cross_rates():
    rates = {(r["currency"], r["month"]): r["rate"] for r in rates_from_csv(ECB, base="USD")}
    assert rates[("EUR", "2026-01")] == Decimal("1.1100000000")  # (1.10 + 1.12) / 2
    gbp = (Decimal("1.10") / Decimal("0.85") + Decimal("1.12") / Decimal("0.86")) / 2
    assert rates[("GBP", "2026-01")] == gbp.quantize(Decimal("1e-10"))
    assert rates[("JPY", "2026-01")] == Decimal("0.0068750000")  # one day only: 1.10 / 160
    assert rates[("EUR", "2026-02")] == Decimal("1.2000000000")
    assert ("USD", "2026-01") not in rates and ("XYZ", "2026-01") not in rates


def test_ecb_to_a_euro_base_inverts():
    rates = {(r["currency"], r["month"]): r["rate"] for r in ecb_monthly_rates(
        [{"Date": "2026-02-02", "USD": "1.25"}], base="EUR"
    )}  # fmt: skip
    assert rates == {("USD", "2026-02"): Decimal("0.8")}


def test_a_base_missing_from_the_file_is_refused():
    with pytest.raises(RateFileInvalid):
        rates_from_csv("Date,JPY\n2026-01-02,160\n", base="CHF")
    with pytest.raises(RateFileInvalid):
        rates_from_csv("a,b\n1,2\n")


def test_plain_rows():
    assert rates_from_csv("currency,month,rate\nEUR,2026-01,1.08\n") == [
        {"currency": "EUR", "month": "2026-01", "rate": "1.08"}
    ]
