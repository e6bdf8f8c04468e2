"""Pure arithmetic: thresholds, reweighting on missing data, band edges, scorecard choice."""

import pytest

from health.models import band_for
from health.scoring import Plan, PlanMeasure, combine, pick_plan, points_score, rescore


@pytest.mark.parametrize(
    "raw, expected",
    [(-5, 0.0), (0, 0.0), (2, 15.0), (4, 30.0), (8, 50.0), (12, 70.0), (16, 85.0), (20, 100.0), (30, 100.0)],
)
def test_points_interpolate_and_clamp(raw, expected):
    assert points_score([[0, 0], [4, 30], [12, 70], [20, 100]], raw) == pytest.approx(expected)


def test_points_descending_measure_and_unsorted_input():
    # Fewer tickets is better: 0 -> 100, 10 -> 0; points given out of order.
    pts = [[10, 0], [0, 100], [5, 30], [2, 70]]
    assert points_score(pts, 0) == 100
    assert points_score(pts, 1) == pytest.approx(85)
    assert points_score(pts, 7.5) == pytest.approx(15)
    assert points_score(pts, 50) == 0


def test_points_need_a_point():
    with pytest.raises(ValueError):
        points_score([], 3)


MEASURES = (
    PlanMeasure("usage_frequency", 20, ((0, 0), (20, 100))),
    PlanMeasure("nps", 10, ((-100, 0), (100, 100))),
    PlanMeasure("open_tickets", 10, ((0, 100), (10, 0))),
)


def test_combine_weights_contributions():
    score, details = combine(MEASURES, {"usage_frequency": 10, "nps": 50, "open_tickets": 0})
    # 20*50 + 10*75 + 10*100 = 2750 over 40 -> 68.75
    assert score == 69
    assert details["usage_frequency"] == {"value": 10, "score": 50.0, "weight": 20, "contribution": 25.0}
    assert details["nps"]["contribution"] == pytest.approx(18.75)
    assert sum(d["contribution"] for d in details.values()) == pytest.approx(68.75)


def test_missing_measure_spreads_its_weight():
    score, details = combine(MEASURES, {"usage_frequency": 10, "nps": None, "open_tickets": 0})
    # nps has no data: 20*50 + 10*100 over 30 -> 66.67
    assert score == 67
    assert details["nps"] == {"value": None, "score": None, "weight": 10, "contribution": 0.0}
    assert details["usage_frequency"]["contribution"] == pytest.approx(33.33, abs=0.01)
    assert combine(MEASURES, {}) == (
        None,
        {k.key: {"value": None, "score": None, "weight": k.weight, "contribution": 0.0} for k in MEASURES},
    )


def test_rescore_with_other_weights():
    _, details = combine(MEASURES, {"usage_frequency": 10, "nps": 50, "open_tickets": 0})
    assert rescore(details, {}) == pytest.approx(68.75)
    assert rescore(details, {"usage_frequency": 0}) == pytest.approx((75 + 100) / 2)
    assert rescore(details, {"usage_frequency": 0, "nps": 0, "open_tickets": 0}) is None


@pytest.mark.parametrize(
    "score, band", [(0, "red"), (39, "red"), (40, "yellow"), (69, "yellow"), (70, "green"), (100, "green"), (None, "")]
)
def test_band_edges(score, band):
    assert band_for(score, 40, 70) == band


def test_band_edges_equal_means_no_yellow():
    assert band_for(49, 50, 50) == "red" and band_for(50, 50, 50) == "green"


def _plan(i, tier="", segment="", default=False):
    return Plan(id=i, name=str(i), tier=tier, segment=segment, is_default=default, red_below=40, green_from=70)


def test_pick_plan_most_specific_wins():
    plans = [
        _plan(1, default=True),
        _plan(2, tier="key"),
        _plan(3, segment="Enterprise"),
        _plan(4, tier="key", segment="Enterprise"),
    ]
    assert pick_plan(plans, "key", "Enterprise").id == 4
    assert pick_plan(plans, "standard", "Enterprise").id == 3
    assert pick_plan(plans, "key", "SMB").id == 2
    assert pick_plan(plans, "standard", "SMB").id == 1
    assert pick_plan(plans[1:], "standard", "SMB") is None
