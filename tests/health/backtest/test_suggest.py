"""Suggested weights: on a history where "signal" separates churners and "noise" does not,
noise is dropped, signal keeps the weight, and the held-out AUC does not fall."""

import pytest

from health.backtest import EPSILON, observations, scorecard_suggestion, weights_suggest
from health.backtest.suggest import rescore_many

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


def test_noise_is_dropped_and_the_held_out_auc_rises(history):
    scorecard, _ = history
    result = scorecard_suggestion(scorecard=scorecard, as_of=AS_OF, horizon=30)
    by_key = {m["key"]: m for m in result["measures"]}
    assert by_key["noise"]["dropped"] and by_key["noise"]["reason"] == "no_signal"
    assert by_key["noise"]["auc"] <= 0.5 + EPSILON
    assert not by_key["signal"]["dropped"] and by_key["signal"]["auc"] > 0.75
    assert by_key["signal"]["stability"] >= 0.8
    assert result["weights"] == {"signal": 100}
    assert by_key["signal"]["current_weight"] == 10 and by_key["signal"]["suggested_weight"] == 100
    # Measured on later days than the ones the weights were fitted on.
    split = result["split"]
    assert split.test_start > split.train_last
    assert result["auc_after"] > result["auc_before"] + 0.1, result


def test_a_measure_without_data_is_dropped(history):
    scorecard, _ = history
    obs = observations(as_of=AS_OF, horizon=30)
    result = weights_suggest(obs=obs, horizon=30, current={"signal": 10, "noise": 30, "nps": 20})
    nps = next(m for m in result["measures"] if m["key"] == "nps")
    assert nps["dropped"] and nps["reason"] == "no_data" and nps["coverage"] == 0
    assert "nps" not in result["weights"]


def test_short_history_suggests_nothing(two_measures):
    result = weights_suggest(obs=[], horizon=30, current={"signal": 10})
    assert result["weights"] == {} and result["reason"] == "short_history"


def test_rescore_spreads_missing_weight_like_the_scorecard():
    import numpy as np

    S = np.array([[80.0, np.nan], [80.0, 20.0], [np.nan, np.nan]])
    assert rescore_many(S, [10, 30]).tolist() == [80.0, 35.0, 50.0]


def test_when_no_change_ranks_better_today_s_weights_stay(history):
    """A scorecard already on the one measure that separates churners: re-weighting cannot
    rank them better, so the suggestion is today's weights (nothing dropped) and the
    held-out AUC after is the one before."""
    obs = observations(as_of=AS_OF, horizon=30)
    result = weights_suggest(obs=obs, horizon=30, current={"signal": 10})
    assert result["recipe"] == "current" and result["weights"] == {"signal": 10}
    assert result["auc_after"] == result["auc_before"]
    assert not any(m["dropped"] for m in result["measures"])
