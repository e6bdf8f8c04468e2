"""usage.metrics in the base currency with rates that change month to month (hand-computed).

Rates: EUR 2026-01 = 1.10, 2026-02 = 1.20; GBP 2026-01 = 1.25 (no February rate).
Period [2026-01-01, 2026-02-01):

    A  USD 1000 from 2025-06-01, open        start 1000          end 1000
    B  EUR 1000 from 2025-06-01, open        start 1000 x 1.10   end 1000 x 1.20  (FX moves it: +100)
    C  EUR  500 2025-06-01..2026-01-20       start  500 x 1.10 = 550, churned
    D  EUR  200 from 2026-01-10 (new)        end 200 x 1.20 = 240

    mrr_start = 1000 + 1100 + 550 = 2650; mrr_end = 1000 + 1200 + 240 = 2440
"""

from datetime import date
from decimal import Decimal

import pytest

from accounts.currency import fx_rates_upsert, subscription_missing_rates
from tests.factories import AccountFactory, SubscriptionFactory
from usage import metrics

pytestmark = pytest.mark.django_db

START, END = date(2026, 1, 1), date(2026, 2, 1)


def sub(currency, mrr, start, end=None, account=None):
    account = account or AccountFactory(currency=currency)
    return SubscriptionFactory(
        account=account, currency=currency, mrr=Decimal(mrr), start_date=start, end_date=end, plan="Pro"
    )


@pytest.fixture
def book():
    fx_rates_upsert(
        rates=[
            {"currency": "EUR", "month": "2026-01", "rate": "1.10"},
            {"currency": "EUR", "month": "2026-02", "rate": "1.20"},
            {"currency": "GBP", "month": "2026-01", "rate": "1.25"},
        ]
    )
    sub("USD", 1000, date(2025, 6, 1))
    sub("EUR", 1000, date(2025, 6, 1))
    sub("EUR", 500, date(2025, 6, 1), date(2026, 1, 20))
    sub("EUR", 200, date(2026, 1, 10))


def test_each_day_converts_at_its_months_rate(book):
    m = metrics.period_metrics(start=START, end=END)
    assert m["mrr_start"] == Decimal("2650.00")
    assert m["mrr_end"] == Decimal("2440.00")
    assert m["mrr_new"] == Decimal("240.00")
    assert m["mrr_churned"] == Decimal("550.00")
    assert m["mrr_expansion"] == Decimal("100.00")  # B: the euro rose
    assert m["mrr_contraction"] == Decimal("0.00")
    assert m["nrr"] == round((2650 + 100 - 550) / 2650, 4)
    assert m["logo_churn_rate"] == round(1 / 3, 4)
    days = metrics.mrr_by_days(days=[START, date(2026, 1, 15), END])
    assert days == {START: Decimal("2650.00"), date(2026, 1, 15): Decimal("2870.00"), END: Decimal("2440.00")}


def test_constant_currency_holds_the_rate(book):
    c = metrics.metric_components(start=START, end=END, constant_currency=True)[0]
    assert c["mrr_start"] == Decimal("2800.00")  # 1000 + 1200 + 600 at February's rate
    assert c["mrr_expansion"] == Decimal("0.00")
    assert c["mrr_churned"] == Decimal("600.00")


def test_a_missing_rate_is_left_out_and_counted(book):
    sub("GBP", 100, date(2025, 6, 1))
    c = metrics.metric_components(start=START, end=END)[0]
    assert c["mrr_start"] == Decimal("2775.00")  # + 100 x 1.25
    assert c["mrr_end"] == Decimal("2440.00")  # no GBP rate for February: nothing added
    # Unconvertible money counts 0: the GBP account is not paying on `end` in these figures
    # (which is why the API refuses to answer and the pages warn, naming the rate).
    assert c["accounts_active_end"] == 3
    assert subscription_missing_rates(days=[START, END]) == [("GBP", date(2026, 2, 1))]


def test_cohorts_convert_each_month(book):
    cells = metrics.cohort_cells(months=2, today=date(2026, 2, 10))
    base = {c["cohort"]: c for c in cells if c["day"] is None}
    assert base[date(2026, 1, 1)]["mrr"] == Decimal("220.00")  # D: 200 x 1.10 on its first day
    grid = {(c["cohort"], c["day"]): c for c in cells if c["day"] is not None}
    assert grid[(date(2026, 1, 1), date(2026, 2, 1))]["mrr"] == Decimal("240.00")


def test_metrics_api_answers_in_the_base_currency(api_read, book):
    ok = api_read.get("/api/v1/metrics/", {"start": START, "end": END})
    assert ok.status_code == 200 and ok.json()["mrr_end"] == 2440.0 and ok.json()["mrr_start"] == 2650.0


def test_metrics_api_names_the_missing_rate(api_read, book):
    sub("GBP", 100, date(2025, 6, 1))
    response = api_read.get("/api/v1/metrics/", {"start": START, "end": END})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "missing_fx_rate"
    assert body["missing"] == [{"currency": "GBP", "month": "2026-02"}]
    assert "GBP 2026-02" in body["message"]
