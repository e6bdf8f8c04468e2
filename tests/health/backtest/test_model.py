"""The learned churn model: held-out AUC per horizon on a time split that a feature from the
future cannot leak through, one model per day however often it is trained, and scoring one
snapshot or many alike."""

from datetime import timedelta

import pytest

from health.backtest import churn_model_train, churn_risk, churn_risks, horizon_evaluation, observations, time_split
from health.backtest.observations import TimeSplit
from health.models import ChurnModel, HealthScore
from tests.factories.health import seeded_history

from .conftest import AS_OF, grid_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaky_history(two_measures):
    """ "oracle" (churns within 30 days, said outright) on every snapshot after the last
    training day of the 30-day split: in the gap before the test period, and in it."""
    split = time_split(grid_days(horizon=30), horizon=30)
    seeded_history(scorecard=two_measures, as_of=AS_OF, leak_from=split.train_last + timedelta(days=1))
    return split


def test_a_feature_from_the_future_does_not_leak_into_the_training(leaky_history):
    obs = observations(as_of=AS_OF, horizon=30)
    result = horizon_evaluation(obs, 30)
    assert result["test_start"] == leaky_history.test_start.isoformat()
    # The model learns what the past knew ("signal"): good, but not the oracle's perfect 1.0.
    assert 0.7 < result["auc_test"] < 0.93, result
    names = [m for o in obs if o.day <= leaky_history.train_last for m in o.measures]
    assert "oracle" not in names


def test_the_leak_test_fails_a_split_without_the_gap(leaky_history, monkeypatch):
    """The same check on a split that trains on every day before the test period (label
    windows running into it): the oracle leaks and the held-out AUC jumps, so the test above
    would fail on such a split."""
    monkeypatch.setattr(TimeSplit, "is_train", lambda self, o: o.day < self.test_start)
    result = horizon_evaluation(observations(as_of=AS_OF, horizon=30), 30)
    assert result["auc_test"] > 0.95, result


def test_trained_model_reports_held_out_auc_per_horizon(history):
    model = churn_model_train(as_of=AS_OF)
    per = model.metrics["horizons"]
    assert set(per) == {"30", "60", "90"}
    assert per["30"]["auc_test"] > per["30"]["auc_scorecard_test"] + 0.1
    assert model.metrics["auc_test"] == per["60"]["auc_test"] and model.horizon_days == 60
    assert model.as_of == AS_OF and model.metrics["held_out"]
    # Retraining for the same day replaces that day's model (the nightly task may run twice).
    again = churn_model_train(as_of=AS_OF)
    assert ChurnModel.objects.get() == again


def test_too_short_history_has_no_held_out_auc(two_measures):
    seeded_history(scorecard=two_measures, as_of=AS_OF, weeks=12, accounts=80)
    model = churn_model_train(as_of=AS_OF)
    assert model is not None
    assert model.metrics["horizons"]["90"]["auc_test"] is None
    assert model.metrics["horizons"]["90"]["reason"] == "short_history"


def test_one_snapshot_and_many_score_alike(history):
    model = churn_model_train(as_of=AS_OF)
    snaps = list(HealthScore.objects.filter(day=AS_OF).order_by("account_id")[:50])
    many = churn_risks(model, [s.measures for s in snaps])
    for snap, p in zip(snaps, many, strict=True):
        probability, reasons = churn_risk(model, snap.measures)
        assert probability == pytest.approx(p)
        assert all(r["impact"] > 0 for r in reasons)
    faded = max(snaps, key=lambda s: -s.measures["signal"]["score"])
    assert churn_risk(model, faded.measures)[1][0]["measure"] == "signal"


def test_no_churner_no_model(two_measures):
    seeded_history(scorecard=two_measures, as_of=AS_OF, churn_share=0.0, accounts=30)
    assert churn_model_train(as_of=AS_OF) is None


def test_feature_matrix_is_feature_row_for_every_snapshot():
    from health.backtest import feature_matrix, feature_names, feature_row

    names = feature_names(["a", "b"])
    snapshots = [
        {"a": {"value": 12.0, "score": 60.0}, "b": {"value": None, "score": None}},
        {"a": {"value": -3, "score": 0}},
        {},
    ]
    assert feature_matrix(names, snapshots).tolist() == [feature_row(names, m) for m in snapshots]
