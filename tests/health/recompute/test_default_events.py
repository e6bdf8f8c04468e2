"""The default scorecard picks event measures from the events it has seen (once)."""

from datetime import timedelta

import pytest

from health.models import EventMeasure, HealthSettings, ScorecardMeasure
from health.recompute import scorecard_default_ensure, scorecard_default_events_pick
from health.registry import MEASURES
from health.services import today
from tests.factories.accounts import AccountFactory
from tests.factories.health import at
from tests.factories.usage import UsageEventFactory
from usage.rollups import usage_rollup_rebuild

pytestmark = pytest.mark.django_db


def test_no_events_picks_nothing_and_tries_again_later():
    scorecard_default_ensure()
    assert EventMeasure.objects.count() == 0
    assert HealthSettings.load().default_events_picked_at is None


def test_top_event_names_by_accounts_using_them():
    scorecard = scorecard_default_ensure()
    day = today()
    accounts = [AccountFactory() for _ in range(4)]
    for i, acc in enumerate(accounts):
        UsageEventFactory(account=acc, event="login", occurred_at=at(day))  # all four
        if i < 3:
            UsageEventFactory(account=acc, event="report_viewed", occurred_at=at(day - timedelta(days=2)))
        if i < 2:
            for _ in range(50):  # many events, but fewer accounts
                UsageEventFactory(account=acc, event="export", occurred_at=at(day - timedelta(days=1)))
        if i < 1:
            UsageEventFactory(account=acc, event="rare", occurred_at=at(day))
    UsageEventFactory(account=accounts[0], event="old_feature", occurred_at=at(day - timedelta(days=60)))
    usage_rollup_rebuild()
    picked = scorecard_default_events_pick(top=3)
    assert [em.label for em in picked] == ["login", "report_viewed", "export"]
    assert all(em.auto and em.calibrated for em in picked)
    keys = set(ScorecardMeasure.objects.filter(scorecard=scorecard).values_list("measure_key", flat=True))
    assert {"event:login", "event:report_viewed", "event:export"} <= keys
    assert "event:login" in MEASURES
    # Once: an admin's later edits stay.
    EventMeasure.objects.filter(slug="export").delete()
    assert scorecard_default_events_pick(top=3) == []
    assert not EventMeasure.objects.filter(slug="export").exists()
