"""The forecast's arithmetic against a hand computation, its breakdowns and filters."""

from datetime import date
from decimal import Decimal

import pytest

from renewals.choices import ForecastCategory, OpportunityKind, StageKind
from renewals.selectors import ForecastFilters, forecast_quarters, forecast_summary
from tests.factories.accounts import AccountFactory
from tests.factories.core import UserFactory
from tests.factories.renewals import OpportunityFactory, stage_of

pytestmark = pytest.mark.django_db

Q3 = (date(2026, 7, 1), date(2026, 10, 1))


@pytest.fixture
def book():
    boss = UserFactory(role="manager")
    ann = UserFactory(manager=boss, first_name="Ann", last_name="A")
    bob = UserFactory(first_name="Bob", last_name="B")
    enterprise = AccountFactory(owner=ann, segment="Enterprise", tier="enterprise")
    smb = AccountFactory(owner=bob, segment="SMB")
    make = OpportunityFactory
    make(
        account=enterprise,
        amount=Decimal("12000"),
        renew_probability=0.8,
        category=ForecastCategory.COMMIT,
        call_amount=Decimal("10000"),
        close_date=date(2026, 7, 10),
    )
    make(
        account=enterprise,
        amount=Decimal("6000"),
        renew_probability=0.5,
        category=ForecastCategory.BEST_CASE,
        close_date=date(2026, 8, 10),
    )
    make(account=smb, amount=Decimal("3000"), stage=stage_of(StageKind.WON), close_date=date(2026, 7, 20))
    make(account=smb, amount=Decimal("2400"), stage=stage_of(StageKind.LOST), close_date=date(2026, 9, 1))
    # no P(renew) yet: the stage's probability (the default pipeline's first stage: 50%)
    make(account=smb, amount=Decimal("1000"), close_date=date(2026, 9, 30))
    # outside the window, and an expansion: not in the renewal forecast
    make(account=smb, amount=Decimal("99999"), close_date=date(2026, 10, 1))
    make(account=smb, amount=Decimal("5555"), kind=OpportunityKind.EXPANSION, close_date=date(2026, 7, 2))
    return {"ann": ann, "bob": bob, "boss": boss}


def test_figures_against_a_hand_computation(book):
    f = forecast_summary(start=Q3[0], end=Q3[1])
    assert f["up_for_renewal_arr"] == Decimal("24400")  # 12,000 + 6,000 + 3,000 + 2,400 + 1,000
    assert f["expected_arr"] == Decimal("16100")  # 12,000×0.8 + 6,000×0.5 + 3,000 won + 1,000×0.5
    assert f["committed_arr"] == Decimal("13000")  # won 3,000 + the commit call 10,000
    assert f["best_case_arr"] == Decimal("19000")  # committed + best case 6,000
    assert (f["won_arr"], f["lost_arr"], f["open_arr"]) == (Decimal("3000"), Decimal("2400"), Decimal("19000"))
    assert f["opportunities"] == 5
    assert f["currency"] == "USD" and f["missing_rates"] == []


def test_per_csm_and_per_team(book):
    f = forecast_summary(start=Q3[0], end=Q3[1])
    by_csm = {r["csm"]["id"]: r for r in f["by_csm"]}
    assert by_csm[book["ann"].pk]["expected_arr"] == Decimal("12600")
    assert by_csm[book["bob"].pk]["expected_arr"] == Decimal("3500")
    by_team = {r["manager"]["id"]: r for r in f["by_team"]}
    assert by_team[book["boss"].pk]["up_for_renewal_arr"] == Decimal("18000")
    assert by_team[None]["up_for_renewal_arr"] == Decimal("6400")


def test_filters(book):
    assert forecast_summary(start=Q3[0], end=Q3[1], filters=ForecastFilters(csm=book["bob"].pk))[
        "up_for_renewal_arr"
    ] == Decimal("6400")
    assert forecast_summary(start=Q3[0], end=Q3[1], filters=ForecastFilters(team=book["boss"].pk))[
        "expected_arr"
    ] == Decimal("12600")
    assert forecast_summary(start=Q3[0], end=Q3[1], filters=ForecastFilters(segment="SMB"))[
        "up_for_renewal_arr"
    ] == Decimal("6400")
    assert forecast_summary(start=Q3[0], end=Q3[1], filters=ForecastFilters(tier="enterprise"))[
        "up_for_renewal_arr"
    ] == Decimal("18000")


def test_money_in_another_currency_without_a_rate_is_never_added(book):
    OpportunityFactory(amount=Decimal("5000"), currency="EUR", close_date=date(2026, 8, 1))
    f = forecast_summary(start=Q3[0], end=Q3[1])
    assert f["up_for_renewal_arr"] == Decimal("24400")
    assert f["missing_rates"] == [{"currency": "EUR", "month": "2026-08"}]


def test_per_quarter(book):
    quarters = forecast_quarters(first=date(2026, 8, 15), count=2)
    assert [q["label"] for q in quarters] == ["2026 Q3", "2026 Q4"]
    assert quarters[0]["expected_arr"] == Decimal("16100")
    assert quarters[1]["up_for_renewal_arr"] == Decimal("99999")


def test_other_currencies_convert_at_their_months_rate(book):
    from accounts.models import FxRate

    FxRate.objects.create(currency="EUR", month=date(2026, 8, 1), rate=Decimal("1.10"))
    FxRate.objects.create(currency="EUR", month=date(2026, 9, 1), rate=Decimal("1.20"))
    OpportunityFactory(amount=Decimal("5000"), currency="EUR", close_date=date(2026, 8, 1), renew_probability=1.0)
    OpportunityFactory(amount=Decimal("1000"), currency="EUR", close_date=date(2026, 9, 30), renew_probability=0.5)
    f = forecast_summary(start=Q3[0], end=Q3[1])
    assert f["up_for_renewal_arr"] == Decimal("24400") + Decimal("5500") + Decimal("1200")
    assert f["expected_arr"] == Decimal("16100") + Decimal("5500") + Decimal("600")
    assert f["missing_rates"] == []
