"""The renewal sweep: opportunities opened for terms ending within the horizon and closed from
what the subscription does (renewed on the last day, changed plan, churned, reactivated)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from renewals.choices import OpportunityKind, Outcome, StageKind
from renewals.models import BandRenewalRate, Opportunity
from renewals.services import renewals_sweep
from tests.factories.accounts import AccountFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)


def _renewal(account):
    return Opportunity.objects.get(account=account, kind=OpportunityKind.RENEWAL)


def test_opens_one_renewal_per_paid_term_within_the_horizon_and_is_idempotent():
    soon = SubscriptionFactory(start_date=date(2025, 8, 1), end_date=TODAY + timedelta(days=30), mrr=Decimal("100"))
    edge = SubscriptionFactory(start_date=date(2025, 8, 1), end_date=TODAY + timedelta(days=120), mrr=Decimal("50"))
    SubscriptionFactory(start_date=date(2025, 8, 1), end_date=TODAY + timedelta(days=121))  # beyond the horizon
    SubscriptionFactory(start_date=date(2026, 5, 1), end_date=TODAY + timedelta(days=10), is_trial=True)  # a trial
    SubscriptionFactory(start_date=date(2025, 8, 1), end_date=None)  # open-ended

    first = renewals_sweep(today=TODAY)
    second = renewals_sweep(today=TODAY)

    assert first.opened == 2 and second.opened == 0
    opened = {o.subscription_id: o for o in Opportunity.objects.all()}
    assert set(opened) == {soon.pk, edge.pk}
    o = opened[soon.pk]
    assert (o.amount, o.close_date, o.term_end, o.status, o.owner_id) == (
        Decimal("1200.00"),
        soon.end_date,
        soon.end_date,
        StageKind.OPEN,
        soon.account.owner_id,
    )


def test_horizon_is_a_setting(settings):
    settings.RENEWALS_HORIZON_DAYS = 30
    SubscriptionFactory(start_date=date(2025, 8, 1), end_date=TODAY + timedelta(days=45))
    assert renewals_sweep(today=TODAY).opened == 0
    settings.RENEWALS_HORIZON_DAYS = 60
    assert renewals_sweep(today=TODAY).opened == 1


def test_renewed_on_the_last_day_closes_won_with_the_amount_retained():
    account = AccountFactory()
    end = TODAY + timedelta(days=20)
    SubscriptionFactory(account=account, start_date=date(2025, 6, 21), end_date=end, mrr=Decimal("100"))
    renewals_sweep(today=TODAY)
    assert _renewal(account).status == StageKind.OPEN

    # the renewal is booked on the term's last day: the next term starts on its end date
    SubscriptionFactory(account=account, start_date=end, end_date=None, mrr=Decimal("100"))
    result = renewals_sweep(today=end - timedelta(days=1))

    o = _renewal(account)
    assert result.renewed == 1
    assert (o.status, o.outcome, o.amount_retained, o.stage.kind) == (
        StageKind.WON,
        Outcome.RENEWED,
        Decimal("1200.00"),
        StageKind.WON,
    )


def test_a_running_term_with_nothing_booked_stays_open():
    account = AccountFactory()
    SubscriptionFactory(account=account, start_date=date(2025, 6, 21), end_date=TODAY + timedelta(days=20))
    renewals_sweep(today=TODAY)
    renewals_sweep(today=TODAY + timedelta(days=19))
    assert _renewal(account).status == StageKind.OPEN


def test_changed_plan_is_won_with_the_new_amount_and_records_the_expansion():
    account = AccountFactory()
    end = TODAY + timedelta(days=20)
    SubscriptionFactory(account=account, start_date=date(2025, 6, 21), end_date=end, mrr=Decimal("100"))
    renewals_sweep(today=TODAY)
    SubscriptionFactory(account=account, start_date=end, end_date=None, mrr=Decimal("150"), plan="Scale")

    result = renewals_sweep(today=end)
    renewals_sweep(today=end)  # again: nothing twice

    o = _renewal(account)
    assert result.changed == 1
    assert (o.status, o.outcome, o.amount_retained) == (StageKind.WON, Outcome.CHANGED, Decimal("1800.00"))
    expansion = Opportunity.objects.get(account=account, kind=OpportunityKind.EXPANSION)
    assert (expansion.amount, expansion.status) == (Decimal("600.00"), StageKind.WON)
    assert Opportunity.objects.filter(account=account).count() == 2


def test_downgrade_mid_term_is_won_on_a_changed_plan_with_a_downsell():
    account = AccountFactory()
    sub = SubscriptionFactory(
        account=account, start_date=date(2025, 6, 21), end_date=TODAY + timedelta(days=90), mrr=Decimal("200")
    )
    renewals_sweep(today=TODAY)
    # the customer moves to a smaller plan today: the old term ends early, a new one starts
    sub.end_date = TODAY + timedelta(days=5)
    sub.save()
    SubscriptionFactory(account=account, start_date=TODAY + timedelta(days=5), end_date=None, mrr=Decimal("50"))

    renewals_sweep(today=TODAY + timedelta(days=1))

    o = _renewal(account)
    assert (o.status, o.outcome, o.amount_retained) == (StageKind.WON, Outcome.CHANGED, Decimal("600.00"))
    downsell = Opportunity.objects.get(account=account, kind=OpportunityKind.DOWNSELL)
    assert downsell.amount == Decimal("1800.00")


def test_churned_closes_lost_with_nothing_retained_and_reactivation_wins_it_back():
    account = AccountFactory()
    end = TODAY + timedelta(days=20)
    SubscriptionFactory(account=account, start_date=date(2025, 6, 21), end_date=end, mrr=Decimal("100"))
    renewals_sweep(today=TODAY)

    result = renewals_sweep(today=end)
    o = _renewal(account)
    assert result.churned == 1
    assert (o.status, o.outcome, o.amount_retained) == (StageKind.LOST, Outcome.CHURNED, Decimal("0.00"))

    # the customer comes back 40 days later
    SubscriptionFactory(account=account, start_date=end + timedelta(days=40), end_date=None, mrr=Decimal("80"))
    result = renewals_sweep(today=end + timedelta(days=41))
    o = _renewal(account)
    assert result.reactivated == 1
    assert (o.status, o.outcome, o.amount_retained) == (StageKind.WON, Outcome.REACTIVATED, Decimal("960.00"))
    assert renewals_sweep(today=end + timedelta(days=42)).reactivated == 0


def test_a_late_comeback_beyond_the_window_stays_lost(settings):
    settings.RENEWALS_REACTIVATION_DAYS = 30
    account = AccountFactory()
    end = TODAY + timedelta(days=20)
    SubscriptionFactory(account=account, start_date=date(2025, 6, 21), end_date=end)
    renewals_sweep(today=TODAY)
    renewals_sweep(today=end)
    SubscriptionFactory(account=account, start_date=end + timedelta(days=45), end_date=None)
    renewals_sweep(today=end + timedelta(days=46))
    assert _renewal(account).status == StageKind.LOST


def test_a_closed_by_hand_opportunity_is_left_alone():
    account = AccountFactory()
    end = TODAY + timedelta(days=20)
    SubscriptionFactory(account=account, start_date=date(2025, 6, 21), end_date=end)
    renewals_sweep(today=TODAY)
    o = _renewal(account)
    from renewals.models import PipelineStage
    from renewals.services import opportunity_move

    opportunity_move(opportunity=o, stage=PipelineStage.objects.get(kind=StageKind.WON), user=None)
    SubscriptionFactory(account=account, start_date=end, end_date=None, mrr=Decimal("10"))
    renewals_sweep(today=end)
    o.refresh_from_db()
    assert (o.status, o.outcome, o.amount_retained) == (StageKind.WON, Outcome.MANUAL, None)


def test_probabilities_come_from_band_rates_without_a_churn_model():
    green, red, unknown = AccountFactory(health_band="green"), AccountFactory(health_band="red"), AccountFactory()
    for account in (green, red, unknown):
        SubscriptionFactory(account=account, start_date=date(2025, 6, 21), end_date=TODAY + timedelta(days=20))
    BandRenewalRate.objects.create(band="green", renewed=9, ended=10)
    BandRenewalRate.objects.create(band="red", renewed=1, ended=4)
    BandRenewalRate.objects.create(band="", renewed=12, ended=16)

    renewals_sweep(today=TODAY)

    assert _renewal(green).renew_probability == pytest.approx(0.9)
    assert _renewal(red).renew_probability == pytest.approx(0.25)
    assert _renewal(unknown).renew_probability == pytest.approx(0.75)


def test_probabilities_come_from_the_churn_model_where_trained():
    from health.models import ChurnModel, HealthScore

    account = AccountFactory(health_band="green")
    SubscriptionFactory(account=account, start_date=date(2025, 6, 21), end_date=TODAY + timedelta(days=20))
    ChurnModel.objects.create(
        features=["usage", "usage__missing"],
        coefficients=[-1.0, 0.0],
        intercept=0.0,
        means=[50.0, 0.0],
        scales=[10.0, 1.0],
    )
    HealthScore.objects.create(account=account, day=TODAY, score=70, band="green", measures={"usage": {"score": 50.0}})
    renewals_sweep(today=TODAY)
    # logit 0 at the mean: churn 0.5, renew 0.5
    assert _renewal(account).renew_probability == pytest.approx(0.5)
