"""A scorecard on two measures ("signal" separates churners, "noise" does not) and its history."""

from datetime import date, timedelta

import pytest

from health.models import Scorecard, ScorecardMeasure
from tests.factories.health import seeded_history

AS_OF = date(2026, 6, 1)


@pytest.fixture
def two_measures():
    scorecard = Scorecard.objects.create(name="Default", is_default=True, red_below=40, green_from=70)
    ScorecardMeasure.objects.create(scorecard=scorecard, measure_key="signal", weight=10, points=[[0, 0], [20, 100]])
    ScorecardMeasure.objects.create(scorecard=scorecard, measure_key="noise", weight=30, points=[[0, 0], [100, 100]])
    return scorecard


@pytest.fixture
def history(two_measures):
    return two_measures, seeded_history(scorecard=two_measures, as_of=AS_OF)


def grid_days(*, horizon: int, weeks: int = 36) -> list[date]:
    """The observation days seeded_history's weekly snapshots give for `horizon`."""
    start = AS_OF - timedelta(weeks=weeks)
    last = AS_OF - timedelta(days=7 * -(-horizon // 7))
    return [start + timedelta(days=7 * i) for i in range(weeks + 1) if start + timedelta(days=7 * i) <= last]
