"""The demo step on a small seed: default scorecards, ~120 days of history, and a backtest
in which the score and the learned model separate the churners (AUC >= 0.75)."""

import pytest
from django.core.management import call_command

from health.backtest import backtest, churn_dates, churn_risk
from health.models import ChurnModel, HealthScore, Scorecard
from health.services import today

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo", accounts=150, seed=11, only=["health"], verbosity=0)


def test_demo_history_and_backtest_separate_churners(demo):
    assert Scorecard.objects.filter(is_default=True).exists()
    days = HealthScore.objects.values("day").distinct().count()
    assert days == 120
    assert len(churn_dates(as_of=today())) > 5
    result = backtest(as_of=today())
    h30 = result["horizons"][0]
    assert h30["horizon_days"] == 30 and h30["churned"] >= 5
    assert h30["auc"] >= 0.75, h30
    # Red churns more than green: the bands mean something.
    assert h30["bands"]["red"]["churn_rate"] > h30["bands"]["green"]["churn_rate"]
    model = ChurnModel.objects.get()
    # Held out on later dates (a 30-day gap: 120 days of history hold out 30 days, not 60).
    assert model.metrics["horizons"]["30"]["auc_test"] >= 0.75, model.metrics
    snap = HealthScore.objects.filter(day=today()).order_by("score").first()
    probability, reasons = churn_risk(model, snap.measures)
    assert 0 <= probability <= 1 and all(r["impact"] > 0 for r in reasons)


def test_backfill_days_daily_recent_weekly_before():
    from datetime import date, timedelta

    from health.services import backfill_days

    end = date(2026, 6, 30)
    assert backfill_days(days=120, end=end) == [end - timedelta(days=o) for o in range(119, -1, -1)]
    offsets = [(end - d).days for d in backfill_days(days=120, end=end, daily=30)]
    assert offsets == [119, 112, 105, 98, 91, 84, 77, 70, 63, 56, 49, 42, 35, *range(30, -1, -1)]


def test_sparse_demo_history_still_backtests(monkeypatch):
    """Above DAILY_HISTORY_MAX_ACCOUNTS the demo keeps daily snapshots for 30 days and weekly
    ones before: the span, every horizon's observations and the AUC survive."""
    from demo import health as health_demo

    monkeypatch.setattr(health_demo, "DAILY_HISTORY_MAX_ACCOUNTS", 100)
    call_command("seed_demo", accounts=150, seed=11, only=["health"], verbosity=0)
    days = sorted(set(HealthScore.objects.values_list("day", flat=True)))
    assert len(days) == 44 and (days[-1] - days[0]).days == 119
    result = backtest(as_of=today())
    assert all(h["observations"] > 0 for h in result["horizons"])
    assert result["horizons"][0]["auc"] >= 0.75, result["horizons"][0]
    assert ChurnModel.objects.get().metrics["horizons"]["30"]["auc_test"] >= 0.75


def test_flush_removes_the_health_snapshots_too(demo):
    """Snapshots have no database foreign key, so a TRUNCATE ... CASCADE of the accounts does not
    reach them: a flush must empty them, or the reseeded accounts (ids restart) inherit them."""
    from demo.run import demo_flush

    assert HealthScore.objects.exists()
    demo_flush(log=lambda _msg: None)
    assert not HealthScore.objects.exists()
