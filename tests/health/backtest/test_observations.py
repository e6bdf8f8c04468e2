"""Observations and the time split: training rows' label windows end before the test period."""

from datetime import date, timedelta

import pytest

from health.backtest import observations, time_split

from .conftest import AS_OF, grid_days

pytestmark = pytest.mark.django_db


def test_split_leaves_a_horizon_between_training_and_test():
    days = [date(2026, 1, 1) + timedelta(days=7 * i) for i in range(20)]
    split = time_split(days, horizon=30)
    assert split.train_last + timedelta(days=30) <= split.test_start
    assert sum(d >= split.test_start for d in days) == 8  # 40% of the days held out
    assert all(d + timedelta(days=30) <= split.test_start for d in days if d <= split.train_last)


def test_split_needs_history_longer_than_the_horizon():
    days = [date(2026, 1, 1) + timedelta(days=7 * i) for i in range(8)]  # 49 days
    assert time_split(days, horizon=60) is None
    assert time_split(days[:1], horizon=7) is None
    # Enough for 30 days: fewer test days rather than none at all.
    split = time_split(days, horizon=30)
    assert split is not None and split.train_last + timedelta(days=30) <= split.test_start


def test_observations_skip_churned_accounts_and_other_scorecards(history):
    scorecard, made = history
    obs = observations(as_of=AS_OF, horizon=30)
    assert {o.day for o in obs} == set(grid_days(horizon=30))
    churn = {a.id: d for a, d in made}
    assert all(churn[o.account_id] is None or churn[o.account_id] > o.day for o in obs)
    assert observations(as_of=AS_OF, horizon=30, scorecard_ids=[scorecard.id + 1]) == []
    assert len(observations(as_of=AS_OF, horizon=30, scorecard_ids=[scorecard.id])) == len(obs)
