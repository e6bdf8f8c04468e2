"""Scorecard and settings writes (health.services.scorecards)."""

import pytest
from django.core.exceptions import ValidationError

from health.models import HealthSettings, Scorecard
from health.services import health_settings_update, scorecard_delete, scorecard_save
from tests.factories.health import ScorecardFactory, ScorecardMeasureFactory

pytestmark = pytest.mark.django_db


def test_scorecard_save_keeps_exactly_the_measures_given():
    # given: a scorecard using two measures
    scorecard = ScorecardFactory(name="Enterprise")
    ScorecardMeasureFactory(scorecard=scorecard, measure_key="usage_frequency", weight=10)
    ScorecardMeasureFactory(scorecard=scorecard, measure_key="open_tickets", weight=10)
    scorecard.red_below = 30
    # when
    saved = scorecard_save(
        scorecard=scorecard, measures=[("usage_frequency", 40, [[0, 0], [10, 100]]), ("nps", 5, [[-100, 0]])]
    )
    # then
    saved.refresh_from_db()
    assert saved.red_below == 30
    assert sorted(saved.measures.values_list("measure_key", "weight", "points")) == [
        ("nps", 5, [[-100, 0]]),
        ("usage_frequency", 40, [[0, 0], [10, 100]]),
    ]


def test_scorecard_delete_refuses_the_default():
    default, other = ScorecardFactory(is_default=True), ScorecardFactory()
    with pytest.raises(ValidationError, match="default"):
        scorecard_delete(scorecard=default)
    scorecard_delete(scorecard=other)
    assert list(Scorecard.objects.values_list("id", flat=True)) == [default.id]


def test_health_settings_update_trims_and_dedupes_key_features():
    health_settings_update(key_features=[" export ", "export", "", "share"], sentiment_stale_days=30)
    settings = HealthSettings.load()
    assert (settings.key_features, settings.sentiment_stale_days) == (["export", "share"], 30)
