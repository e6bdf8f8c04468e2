"""The backtest's ROC curve: its shape at the extremes and that its area is the rank AUC."""

import random

import pytest

from health.backtest import auc, auc_fast, roc_curve


def _area(points):
    return sum((x1 - x0) * (y0 + y1) / 2 for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False))


def test_perfect_ranking_climbs_first_then_runs_right():
    points = roc_curve([1, 1, 0, 0, 0], [90, 80, 30, 20, 10])
    assert points == [(0.0, 0.0), (0.0, 0.5), (0.0, 1.0), (0.3333, 1.0), (0.6667, 1.0), (1.0, 1.0)]
    assert _area(points) == pytest.approx(1.0)


def test_ties_make_one_point_and_a_diagonal_step():
    # Every account has the same risk: one threshold, a straight line from (0, 0) to (1, 1).
    assert roc_curve([1, 0, 1, 0], [50, 50, 50, 50]) == [(0.0, 0.0), (1.0, 1.0)]
    assert auc([1, 0, 1, 0], [50, 50, 50, 50]) == 0.5


def test_one_class_only_has_no_curve():
    assert roc_curve([0, 0, 0], [1, 2, 3]) == []
    assert roc_curve([], []) == []


def test_area_under_the_thinned_curve_is_the_auc():
    rng = random.Random(3)
    labels = [int(rng.random() < 0.2) for _ in range(3000)]
    risks = [rng.gauss(60 if y else 45, 15) for y in labels]
    points = roc_curve(labels, risks, max_points=60)
    assert len(points) <= 60
    assert points[0] == (0.0, 0.0) and points[-1] == (1.0, 1.0)
    assert all(x1 >= x0 and y1 >= y0 for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False))
    assert _area(points) == pytest.approx(auc(labels, risks), abs=0.01)


def test_fast_auc_is_the_rank_auc_with_ties():
    rng = random.Random(5)
    labels = [int(rng.random() < 0.3) for _ in range(500)]
    risks = [rng.randint(0, 12) for _ in labels]  # many ties
    assert auc_fast(labels, risks) == pytest.approx(auc(labels, risks))
    assert auc_fast([1, 1], [3, 4]) is None
