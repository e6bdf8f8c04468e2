"""The risk reports' arithmetic in the base currency, against hand computations: each amount
converts at its month's rate, a missing rate is left out and named, never added as it is."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.currency import fx_rates_upsert
from renewals.selectors import arr_at_risk_report, lost_reasons_report, tenure_band
from tests.factories import AccountFactory, UserFactory
from tests.factories.renewals import ChurnReasonFactory, ReasonCodeFactory, RiskFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 15)


@pytest.fixture
def rates():
    fx_rates_upsert(
        rates=[
            {"currency": "EUR", "month": "2026-01", "rate": "1.10"},
            {"currency": "EUR", "month": "2026-02", "rate": "1.20"},
            {"currency": "EUR", "month": "2026-03", "rate": "1.25"},
            {"currency": "GBP", "month": "2026-03", "rate": "1.50"},
        ],
        source="test",
    )


def test_arr_at_risk_by_reason_type_and_csm(rates):
    ann, bob = (
        UserFactory(username="ann", first_name="Ann", last_name="A"),
        UserFactory(username="bob", first_name="Bob", last_name="B"),
    )
    price, feature = (
        ReasonCodeFactory(code="r-price", label="Price"),
        ReasonCodeFactory(code="r-feature", label="Feature"),
    )
    RiskFactory(reason_code=price, type="churn", owner=ann, arr_at_risk=Decimal("10000"), currency="USD")
    RiskFactory(reason_code=price, type="downgrade", owner=bob, arr_at_risk=Decimal("8000"), currency="EUR")  # 10,000
    RiskFactory(reason_code=feature, type="churn", owner=ann, arr_at_risk=Decimal("2000"), currency="GBP")  # 3,000
    RiskFactory(
        reason_code=feature, type="churn", owner=ann, arr_at_risk=Decimal("99999"), status="saved"
    )  # closed: out
    RiskFactory(reason_code=feature, type="product", owner=None, arr_at_risk=Decimal("500"), currency="JPY")  # no rate
    report = arr_at_risk_report(today=TODAY)
    assert report["currency"] == "USD" and report["count"] == 4
    assert report["total"] == Decimal("23000.00")
    assert [(g.label, g.amount, g.count) for g in report["by_reason"]] == [
        ("Price", Decimal("20000.00"), 2),
        ("Feature", Decimal("3000.00"), 2),
    ]
    assert {g.key: g.amount for g in report["by_type"]} == {
        "churn": Decimal("13000.00"),
        "downgrade": Decimal("10000.00"),
        "product": Decimal("0.00"),
    }
    assert [(g.label, g.amount) for g in report["by_owner"]] == [
        ("Ann A", Decimal("13000.00")),
        ("Bob B", Decimal("10000.00")),
        ("Unassigned", Decimal("0.00")),
    ]
    assert report["missing"] == [{"currency": "JPY", "month": "2026-03"}]
    assert report["by_reason"][0].share == 1.0 and report["by_reason"][1].share == pytest.approx(0.15)
    # filters
    assert arr_at_risk_report(today=TODAY, owner_id=bob.pk)["total"] == Decimal("10000.00")


def test_arr_at_risk_query_count_is_flat(rates, django_assert_max_num_queries):
    for _ in range(30):
        RiskFactory(currency="EUR")
    with django_assert_max_num_queries(6):
        arr_at_risk_report(today=TODAY)


def test_why_customers_left_by_reason_segment_tier_tenure(rates):
    price, champion = (
        ReasonCodeFactory(code="l-price", label="Price"),
        ReasonCodeFactory(code="l-champ", label="Champion left"),
    )
    smb = AccountFactory(segment="SMB", tier="standard")
    ent = AccountFactory(segment="Enterprise", tier="enterprise")
    ChurnReasonFactory(
        account=smb,
        reason_code=price,
        arr_lost=Decimal("1000"),
        currency="EUR",
        occurred_on=date(2026, 1, 10),
        tenure_days=40,
    )  # 1,100
    ChurnReasonFactory(
        account=smb,
        reason_code=price,
        arr_lost=Decimal("1000"),
        currency="EUR",
        occurred_on=date(2026, 2, 10),
        tenure_days=200,
    )  # 1,200
    ChurnReasonFactory(
        account=ent,
        reason_code=champion,
        arr_lost=Decimal("5000"),
        currency="USD",
        occurred_on=date(2026, 2, 20),
        tenure_days=800,
        kind="downgrade",
    )
    ChurnReasonFactory(
        account=ent,
        reason_code=champion,
        arr_lost=Decimal("7000"),
        currency="USD",
        occurred_on=date(2025, 12, 31),
        tenure_days=800,
    )  # before the period
    ChurnReasonFactory(
        account=ent,
        reason_code=price,
        arr_lost=Decimal("300"),
        currency="GBP",
        occurred_on=date(2026, 2, 1),
        tenure_days=1200,
    )  # no Feb GBP rate
    report = lost_reasons_report(start=date(2026, 1, 1), end=date(2026, 3, 1))
    assert report["count"] == 4 and report["total"] == Decimal("7300.00")
    assert [(g.label, g.amount, g.count) for g in report["by_reason"]] == [
        ("Champion left", Decimal("5000.00"), 1),
        ("Price", Decimal("2300.00"), 3),
    ]
    assert [(g.key, g.amount, g.top_reason) for g in report["by_segment"]] == [
        ("Enterprise", Decimal("5000.00"), "Champion left"),
        ("SMB", Decimal("2300.00"), "Price"),
    ]
    assert [(g.key, g.amount) for g in report["by_tier"]] == [
        ("enterprise", Decimal("5000.00")),
        ("standard", Decimal("2300.00")),
    ]
    assert [(g.key, g.amount, g.count) for g in report["by_tenure"]] == [
        ("0-3m", Decimal("1100.00"), 1),
        ("3-12m", Decimal("1200.00"), 1),
        ("2-3y", Decimal("5000.00"), 1),
        ("3y+", Decimal("0.00"), 1),
    ]
    assert report["missing"] == [{"currency": "GBP", "month": "2026-02"}]
    only_downgrades = lost_reasons_report(start=date(2026, 1, 1), end=date(2026, 3, 1), kind="downgrade")
    assert only_downgrades["total"] == Decimal("5000.00") and only_downgrades["count"] == 1


def test_tenure_bands():
    assert [tenure_band(d) for d in (0, 90, 91, 364, 365, 729, 730, 1094, 1095, 5000)] == [
        "0-3m",
        "0-3m",
        "3-12m",
        "3-12m",
        "1-2y",
        "1-2y",
        "2-3y",
        "2-3y",
        "3y+",
        "3y+",
    ]
