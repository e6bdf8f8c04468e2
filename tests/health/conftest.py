"""Fixtures shared by the health tests."""

from datetime import timedelta

import pytest

from health.models import Scorecard, ScorecardMeasure
from health.services import today
from tests.factories.accounts import AccountFactory, SupportTicketFactory
from tests.factories.health import at
from tests.factories.usage import UsageEventFactory
from usage.rollups import usage_rollup_rebuild


@pytest.fixture
def book():
    """Three accounts with usage up to today, a plain scorecard on usage + tickets."""
    day = today()
    scorecard = Scorecard.objects.create(name="Test", is_default=True, red_below=40, green_from=70)
    ScorecardMeasure.objects.create(
        scorecard=scorecard, measure_key="usage_frequency", weight=30, points=[[0, 0], [20, 100]]
    )
    ScorecardMeasure.objects.create(
        scorecard=scorecard, measure_key="open_tickets", weight=10, points=[[0, 100], [10, 0]]
    )
    ScorecardMeasure.objects.create(scorecard=scorecard, measure_key="nps", weight=10, points=[[-100, 0], [100, 100]])
    busy, quiet, empty = (
        AccountFactory(external_id="busy"),
        AccountFactory(external_id="quiet"),
        AccountFactory(external_id="empty"),
    )
    for offset in range(20):
        UsageEventFactory(account=busy, occurred_at=at(day - timedelta(days=offset), 1))
    for offset in range(4):
        UsageEventFactory(account=quiet, occurred_at=at(day - timedelta(days=offset), 1))
    usage_rollup_rebuild()
    resolved_ticket(empty)
    return scorecard, busy, quiet, empty


def resolved_ticket(account):
    """A ticket resolved long ago: the install tracks tickets, so "0 open" is data (a book
    without any ticket gives the ticket measures no data, health.measures.tickets_in_use)."""
    return SupportTicketFactory(
        account=account, opened_at=at(today() - timedelta(days=400)), resolved_at=at(today() - timedelta(days=399))
    )
