"""Time to first value arithmetic (per account, medians per tier and start-month cohort) and
the onboarding_progress health measure."""

from datetime import UTC, date, datetime, timedelta

import pytest

from accounts.choices import Tier
from health.registry import MEASURES
from onboarding import services
from onboarding.metrics import onboarding_progress, ttfv
from onboarding.models import OnboardingSettings
from tests.factories import AccountFactory, SubscriptionFactory, UsageEventFactory


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _account(tier, start, value_after_days=None, event="report_created", trial_before=False):
    account = AccountFactory(tier=tier)
    if trial_before:
        SubscriptionFactory(account=account, is_trial=True, start_date=start - timedelta(days=14), end_date=start)
    SubscriptionFactory(account=account, start_date=start)
    SubscriptionFactory(account=account, start_date=start + timedelta(days=60))  # an upgrade later
    if value_after_days is not None:
        UsageEventFactory(account=account, event=event, occurred_at=_at(start + timedelta(days=value_after_days)))
        UsageEventFactory(account=account, event=event, occurred_at=_at(start + timedelta(days=value_after_days + 5)))
    return account


@pytest.fixture
def cohort(db):
    OnboardingSettings.objects.update_or_create(pk=1, defaults={"value_event": "report_created"})
    jan, feb = date(2026, 1, 10), date(2026, 2, 3)
    return {
        "a": _account(Tier.STANDARD, jan, 2),
        "b": _account(Tier.STANDARD, jan, 6, trial_before=True),
        "c": _account(Tier.STANDARD, feb, 9),
        "d": _account(Tier.KEY, feb, 20),
        "e": _account(Tier.KEY, feb, None),  # no value yet
        "f": _account(Tier.KEY, jan, 4, event="login"),  # other events are not value
    }


def test_ttfv_per_account_and_medians(cohort):
    # when
    report = ttfv()
    # then: per account, from the first paid subscription to the first value event
    days = {row.account_id: row.days for row in report.accounts}
    assert days[cohort["a"].pk] == 2
    assert days[cohort["b"].pk] == 6  # the trial does not count as the contract start
    assert days[cohort["c"].pk] == 9
    assert days[cohort["d"].pk] == 20
    assert days[cohort["e"].pk] is None
    assert days[cohort["f"].pk] is None
    # overall median over those that reached value: 2, 6, 9, 20 -> 7.5
    assert report.overall.median_days == 7.5
    assert (report.overall.accounts, report.overall.reached, report.overall.pending) == (6, 4, 2)
    # per tier: standard 2, 6, 9 -> 6; key 20 -> 20
    assert report.by_tier[Tier.STANDARD].median_days == 6
    assert report.by_tier[Tier.KEY].median_days == 20 and report.by_tier[Tier.KEY].accounts == 3
    # per start-month cohort: Jan 2, 6 -> 4; Feb 9, 20 -> 14.5
    assert report.by_cohort["2026-01"].median_days == 4
    assert report.by_cohort["2026-02"].median_days == 14.5
    assert report.by_tier_cohort[(Tier.KEY, "2026-01")].median_days is None


def test_ttfv_period_and_accounts_filters(cohort):
    feb_only = ttfv(start=date(2026, 2, 1), end=date(2026, 3, 1))
    assert {r.account_id for r in feb_only.accounts} == {cohort[k].pk for k in "cde"}
    assert feb_only.overall.median_days == 14.5
    one = ttfv(account_ids=[cohort["a"].pk])
    assert [r.days for r in one.accounts] == [2]


def test_ttfv_uses_the_checklists_value_event(cohort, tech_template):
    # given: account f's checklist says "login" is its value event
    tech_template.value_event = "login"
    tech_template.save()
    services.checklist_start(account=cohort["f"], template=tech_template)
    # when
    row = ttfv(account_ids=[cohort["f"].pk]).for_account(cohort["f"].pk)
    # then
    assert row.value_event == "login" and row.days == 4


def test_value_events_before_the_contract_start_do_not_count(db):
    start = date(2026, 3, 1)
    account = _account(Tier.STANDARD, start, None)
    UsageEventFactory(account=account, event="report_created", occurred_at=_at(start - timedelta(days=3)))
    UsageEventFactory(account=account, event="report_created", occurred_at=_at(start + timedelta(days=1), 1))
    assert ttfv(account_ids=[account.pk]).accounts[0].days == 1


def test_onboarding_progress_measure(account, tech_template):
    # given: 1 of 3 items done today
    checklist = services.checklist_start(account=account)
    services.checklist_item_toggle(item=checklist.items.get(title="Watch the intro"), done=True)
    other = AccountFactory()
    today = date.today()
    # when
    values = MEASURES["onboarding_progress"].compute(today, None)
    # then
    assert values[account.pk] == pytest.approx(33.3)
    assert other.pk not in values
    # as of yesterday nothing was done yet (and the checklist had not started)
    assert onboarding_progress(as_of=today - timedelta(days=1), account_ids=[account.pk]) == {}
    assert onboarding_progress(as_of=today, account_ids=[other.pk]) == {}
