"""The evaluation table on one held-out split: the scorecard as it scored, the naive 30-day
event count, the suggested weights and the learned model."""

from datetime import date, timedelta

import pytest

from health.backtest import evaluation, events_before
from health.backtest.observations import Observation
from tests.factories.accounts import AccountFactory
from tests.factories.health import seeded_history
from usage.models import AccountDailyUsage

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


def test_suggested_and_learned_beat_the_noisy_default(two_measures):
    seeded_history(scorecard=two_measures, as_of=AS_OF, usage=True)
    table = evaluation(as_of=AS_OF, horizon=30)
    assert table["n_test"] > 0 and table["churned_test"] > 10
    assert table["default"] < 0.7  # the default weighs "noise" three times "signal"
    assert table["naive_events"] > 0.6  # the event count follows "signal"
    assert table["suggested"] >= table["default"] and table["learned"] >= table["default"], table
    assert table["suggested_weights"] == {"signal": 100}


def test_events_before_counts_the_window_up_to_the_day():
    account = AccountFactory()
    day = date(2026, 3, 31)
    for offset, n in ((0, 2), (29, 3), (30, 100)):  # the 30th day back is outside the window
        AccountDailyUsage.objects.create(account=account, day=day - timedelta(days=offset), events=n)
    obs = [Observation(account.id, day, 50, "yellow", {}, None), Observation(account.id + 1, day, 50, "", {}, None)]
    assert events_before(obs) == [5, 0]


def test_short_history_has_no_table(two_measures):
    table = evaluation(as_of=AS_OF, horizon=30)
    assert table["reason"] == "short_history" and table["learned"] is None


def test_health_evaluate_prints_the_held_out_columns(two_measures):
    """`health_evaluate` (health.evaluation) adds the held-out table: the default scorecard
    and the naive count beside the suggested weights and the learned model, on the same rows."""
    from io import StringIO

    from django.core.management import call_command

    seeded_history(scorecard=two_measures, as_of=AS_OF, usage=True)
    out = StringIO()
    call_command("health_evaluate", dates=30, horizon=30, last_day=(AS_OF + timedelta(days=30)).isoformat(), stdout=out)
    text = out.getvalue()
    assert "held out (fitted before, measured from" in text
    held = {
        line.split("AUC")[0].strip(): float(line.split("AUC")[1])
        for line in text.split("held out (")[1].split("insufficient history")[0].splitlines()
        if "AUC" in line
    }
    assert set(held) == {"Default scorecard", "Events in the last 30 days", "Suggested weights", "Learned model"}
    assert held["Suggested weights"] >= held["Default scorecard"] and held["Learned model"] >= held["Default scorecard"]
