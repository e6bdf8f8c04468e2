"""The evaluation (health.evaluation, `manage.py health_evaluate`) on a small seeded set:
churners whose usage fades, stayers who keep going, one account too young to judge."""

import json
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from health.evaluation import EVALUATORS, evaluation_days, evaluation_run
from tests.factories.accounts import AccountFactory, SubscriptionFactory
from tests.factories.health import at
from tests.factories.usage import UsageEventFactory
from usage.rollups import usage_rollup_rebuild

pytestmark = pytest.mark.django_db

LAST = date(2026, 3, 31)
START = date(2025, 11, 1)


@pytest.fixture
def seeded():
    """Six stayers with daily usage, three churners whose usage stops 20 days before they
    churn, one account 3 days old at the last observation day."""
    stayers, churners = [], []
    for i in range(6):
        acc = AccountFactory(created_at=datetime(2025, 11, 1, tzinfo=UTC))
        SubscriptionFactory(account=acc, start_date=START, end_date=None)
        for d in range(0, (LAST - START).days, 2):
            for _ in range(1 + i % 3):
                UsageEventFactory(account=acc, occurred_at=at(START + timedelta(days=d)))
        stayers.append(acc)
    for churn in (date(2026, 2, 20), date(2026, 2, 27), date(2026, 3, 5)):
        acc = AccountFactory(created_at=datetime(2025, 11, 1, tzinfo=UTC))
        SubscriptionFactory(account=acc, start_date=START, end_date=churn)
        for d in range(0, (churn - START).days - 20, 2):
            UsageEventFactory(account=acc, occurred_at=at(START + timedelta(days=d)))
        churners.append(acc)
    young = AccountFactory(created_at=at(date(2026, 2, 25)))
    SubscriptionFactory(account=young, start_date=date(2026, 2, 25))
    UsageEventFactory(account=young, occurred_at=at(date(2026, 2, 26)))
    usage_rollup_rebuild()
    return stayers, churners, young


def test_days_count_back_from_the_last_known_outcome():
    assert evaluation_days(last_day=LAST, dates=3, horizon=31, step=7) == [
        date(2026, 2, 14),
        date(2026, 2, 21),
        date(2026, 2, 28),
    ]


def test_pooled_auc_of_the_scorecard_and_the_naive_count(seeded):
    stayers, churners, young = seeded
    days = evaluation_days(last_day=LAST, dates=3, horizon=31, step=7)
    result = evaluation_run(days=days, horizon=31, rebuild=True)
    rows = {r["key"]: r for r in result["rows"]}
    assert set(rows) >= {"scorecard", "events_30d"}
    # Churners still active on each day: 3 on Feb 14, 2 on Feb 21 (one churned on the 20th),
    # 1 on Feb 28; each churns within 31 days, so every churner observation is positive.
    assert result["churned"] == 6
    assert result["observations"] == 6 * 3 + 6
    # Their usage stopped 20 days before: both rankings put them above every stayer.
    assert rows["events_30d"]["auc"] == 1.0
    assert rows["scorecard"]["auc"] >= rows["events_30d"]["auc"] - 1e-9
    # The young account (3 days old on Feb 28, days short of 14 before) is pooled apart.
    assert result["insufficient_history"]["observations"] == 1


def test_command_prints_the_table_and_json(seeded):
    out = StringIO()
    call_command(
        "health_evaluate", "--dates", "2", "--horizon", "31", "--last-day", "2026-03-31", "--rebuild", stdout=out
    )
    text = out.getvalue()
    assert "Default scorecard" in text and "Events in the last 30 days" in text
    out = StringIO()
    call_command("health_evaluate", "--dates", "2", "--last-day", "2026-03-31", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert [r["key"] for r in data["rows"]] == list(EVALUATORS)


def test_command_without_data():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No usage data"):
        call_command("health_evaluate")
