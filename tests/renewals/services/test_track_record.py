"""Band renewal rates and the forecast's accuracy on a seeded past, against a hand computation."""

from datetime import date
from decimal import Decimal

import pytest

from health.models import HealthScore
from renewals.models import BandRenewalRate, ForecastAccuracy
from renewals.services import forecast_track_record_refresh
from tests.factories.accounts import AccountFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)  # this quarter: 2026 Q2; the track record: 2025 Q2 .. 2026 Q1


def _term(*, band: str, band_day: date, start: date, end: date, mrr: str, renewed: bool, currency="USD"):
    account = AccountFactory()
    HealthScore.objects.create(account=account, day=band_day, score=50, band=band)
    SubscriptionFactory(account=account, start_date=start, end_date=end, mrr=Decimal(mrr), currency=currency)
    if renewed:  # the next term starts on the end date
        SubscriptionFactory(account=account, start_date=end, end_date=None, mrr=Decimal(mrr), currency=currency)
    return account


@pytest.fixture
def past():
    # 2025: four green terms (3 renewed) in Q2, two red terms (1 renewed) in Q3
    for renewed in (True, True, True, False):
        _term(
            band="green",
            band_day=date(2025, 3, 31),
            start=date(2024, 5, 1),
            end=date(2025, 5, 1),
            mrr="10",
            renewed=renewed,
        )
    for renewed in (True, False):
        _term(
            band="red",
            band_day=date(2025, 6, 30),
            start=date(2024, 8, 1),
            end=date(2025, 8, 1),
            mrr="10",
            renewed=renewed,
        )
    # 2026 Q1: a green account renews (ARR 1,200), a red one leaves (ARR 2,400); bands on 1 Jan
    _term(
        band="green", band_day=date(2025, 12, 31), start=date(2025, 2, 1), end=date(2026, 2, 1), mrr="100", renewed=True
    )
    _term(
        band="red", band_day=date(2025, 12, 31), start=date(2025, 3, 1), end=date(2026, 3, 1), mrr="200", renewed=False
    )


def test_accuracy_of_a_past_quarter_against_a_hand_computation(past):
    forecast_track_record_refresh(today=TODAY)

    q1 = ForecastAccuracy.objects.get(quarter_start=date(2026, 1, 1))
    # rates of the four quarters before 2026 Q1: green 3/4, red 1/2, the whole book 4/6
    assert q1.up_for_renewal == Decimal("3600.00")
    assert q1.expected == Decimal("2100.00")  # 1,200 × 0.75 + 2,400 × 0.5
    assert q1.actual == Decimal("1200.00")
    assert q1.naive == Decimal("2400.00")  # 3,600 × 4/6
    assert q1.expected_error == pytest.approx(75.0)
    assert q1.naive_error == pytest.approx(100.0)
    assert q1.terms == 2


def test_band_rates_for_today_use_the_four_quarters_before_this_one(past):
    forecast_track_record_refresh(today=TODAY)

    rates = {r.band: (r.renewed, r.ended) for r in BandRenewalRate.objects.all()}
    assert rates == {"green": (4, 5), "red": (1, 3), "": (5, 8)}


def test_rebuilding_twice_gives_the_same_rows(past):
    forecast_track_record_refresh(today=TODAY)
    first = list(ForecastAccuracy.objects.values_list("quarter_start", "expected", "actual"))
    forecast_track_record_refresh(today=TODAY)
    assert list(ForecastAccuracy.objects.values_list("quarter_start", "expected", "actual")) == first


def test_other_currencies_without_a_rate_are_left_out_and_named(past):
    _term(
        band="green",
        band_day=date(2025, 12, 31),
        start=date(2025, 2, 1),
        end=date(2026, 2, 15),
        mrr="500",
        renewed=True,
        currency="EUR",
    )
    forecast_track_record_refresh(today=TODAY)
    q1 = ForecastAccuracy.objects.get(quarter_start=date(2026, 1, 1))
    assert q1.up_for_renewal == Decimal("3600.00")
    assert q1.missing_rates == [{"currency": "EUR", "month": "2026-02"}]
