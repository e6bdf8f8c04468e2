"""The scorecards a recompute scores with (health.recompute.plans)."""

import pytest

from health.services import scorecard_default_ensure

pytestmark = pytest.mark.django_db


def test_default_scorecard_has_registered_measures():
    scorecard = scorecard_default_ensure()
    keys = set(scorecard.measures.values_list("measure_key", flat=True))
    assert {
        "activity_level",
        "activity_baseline",
        "activity_per_user",
        "history_days",
        "depth",
        "open_tickets",
        "escalated_tickets",
        "days_to_renewal",
        "mrr_change",
        "csm_sentiment",
    } <= keys
    # Saturating or superseded by a calibrated measure: in the library, not on the default.
    assert not keys & {"usage_frequency", "usage_trend", "breadth"}
    assert scorecard_default_ensure() == scorecard
