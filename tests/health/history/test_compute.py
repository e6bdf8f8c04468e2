"""The history in one pass (health.history, used by health_backfill and the demo step) gives
the very snapshots the per-day recompute gives: every field but computed_at, on a small
seeded demo with overrides, sentiment (fresh and stale), parents, a tier scorecard whose
measures are often missing and one with a zero weight."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.core.management import call_command

from accounts.choices import Tier
from accounts.models import Account, PaymentFailure
from demo import health as health_demo
from health.history import health_history_compute, history_finish, parents_rollup_days, raw_values_days
from health.models import CsmSentiment, HealthOverride, HealthScore, HealthSettings, Scorecard, ScorecardMeasure
from health.registry import MEASURES
from health.services import (
    backfill_days,
    health_backfill,
    health_parents_rollup,
    health_recompute,
    health_scores_compute,
    plans_load,
    raw_values,
    scorecard_default_ensure,
    today,
)

pytestmark = pytest.mark.django_db


def snapshots():
    return list(
        HealthScore.objects.order_by("account_id", "day").values_list(
            "account_id", "day", "scorecard_id", "score", "band", "computed_score", "source", "measures"
        )
    )


def per_day_backfill(days):
    """health_backfill as it was: one recompute per day."""
    plans = plans_load()
    for day in days:
        if day >= today():
            health_recompute(as_of=day)
        else:
            health_scores_compute(as_of=day, plans=plans)
            health_parents_rollup(as_of=day)


@pytest.fixture
def book():
    call_command("seed_demo", accounts=120, seed=5, only=["surveys", "onboarding"], verbosity=0)
    HealthSettings.objects.update_or_create(
        pk=1, defaults={"key_features": health_demo.DEMO_KEY_FEATURES, "sentiment_stale_days": 20}
    )
    default = scorecard_default_ensure()
    # A tier scorecard of measures many accounts lack (no snapshot unless overridden), one
    # with a zero weight, and a segment scorecard like the demo's.
    sparse = Scorecard.objects.create(name="Sparse", tier=Tier.TECH_TOUCH, red_below=30, green_from=60)
    ScorecardMeasure.objects.create(scorecard=sparse, measure_key="nps", weight=10, points=[[-100, 0], [100, 100]])
    ScorecardMeasure.objects.create(scorecard=sparse, measure_key="csat", weight=0, points=[[0, 0], [1, 100]])
    ScorecardMeasure.objects.create(scorecard=sparse, measure_key="csm_sentiment", weight=5, points=[[1, 0], [5, 100]])
    enterprise = Scorecard.objects.create(name="Enterprise", segment="Enterprise", red_below=45, green_from=75)
    for m in default.measures.all():
        ScorecardMeasure.objects.create(
            scorecard=enterprise, measure_key=m.measure_key, points=m.points, weight=m.weight + 3
        )
    accounts = list(Account.objects.order_by("id"))
    now = datetime.now(UTC)
    # Sentiment: recorded at several times, some stale on later days.
    for k, account in enumerate(accounts[:40]):
        for back, value in ((70, 2), (35, 4), (10 + k % 7, 1 + k % 5)):
            CsmSentiment.objects.create(account=account, value=value, recorded_at=now - timedelta(days=back, hours=k))
    # Overrides: expired, cleared, still active, and on an account of the sparse scorecard.
    sparse_account = next(a for a in accounts if a.tier == Tier.TECH_TOUCH)
    for k, account in enumerate([*accounts[50:56], sparse_account]):
        created = now - timedelta(days=60 - 5 * k)
        override = HealthOverride.objects.create(
            account=account,
            score=10 + 10 * k,
            reason="test",
            created_at=created,
            expires_at=created + timedelta(days=20),
        )
        if k == 2:
            override.cleared_at = created + timedelta(days=3)
            override.save()
    # Failed payments (the payment_status measure): open, recovered later, recovered the same week.
    for k, account in enumerate(accounts[70:76]):
        failed = now - timedelta(days=50 - 7 * k, hours=k)
        PaymentFailure.objects.create(
            account=account,
            amount=100 + k,
            currency="USD",
            failed_at=failed,
            recovered_at=None if k % 3 == 0 else failed + timedelta(days=3 + 10 * (k % 2)),
        )
    # A parent with two children.
    parent, *children = accounts[60:63]
    Account.objects.filter(id__in=[c.id for c in children]).update(parent=parent)
    return accounts


def test_history_equals_the_per_day_recompute(book, monkeypatch):
    from health.recompute import inputs

    days = backfill_days(days=90, end=today(), daily=12)
    per_day_backfill(days)
    expected = snapshots()
    assert len({s[1] for s in expected}) == len(days)
    sources = {s[6] for s in expected}
    assert sources == {"measures", "override", "rollup"}
    HealthScore.objects.all().delete()
    Account.objects.update(health_score=None, health_band="", health_change_7d=None)

    # Several chunks: on PostgreSQL each chunk's COPY overlaps the scoring of the next.
    monkeypatch.setattr(inputs, "CHUNK_SIZE", 25)
    family: dict = {}
    scored = health_history_compute(days=days, family=family)
    history_finish(days=days, scored=scored, family=family)
    assert snapshots() == expected
    assert sum(len(v) for v in scored.values()) == len(expected)
    # Today's Account columns as health_recompute leaves them.
    columns = dict(Account.objects.values_list("id", "health_score"))
    todays = {s[0]: s[3] for s in expected if s[1] == today()}
    assert columns == {a: todays.get(a) for a in columns}

    # The roll-up reading the snapshots back (no captured rows) agrees: nothing moves.
    parents_rollup_days(days)
    assert snapshots() == expected

    # Run again over the stored rows: the upsert path, nothing changes.
    health_backfill(days=90, end=today(), daily=12)
    assert snapshots() == expected


@pytest.mark.parametrize("key", sorted(MEASURES))
def test_each_measure_over_many_days_equals_day_by_day(book, key):
    days = backfill_days(days=70, end=today(), daily=5)
    ids = sorted(a.id for a in book)
    many = raw_values_days(days=days, account_ids=ids, keys=[key])[key]
    for i, day in enumerate(days):
        one = raw_values(as_of=day, account_ids=ids, keys=[key])[key]
        expected = np.array([np.nan if one.get(a) is None else one[a] for a in ids])
        assert np.array_equal(many[i], expected, equal_nan=True), (key, day)
    assert not np.isnan(many).all(), f"{key}: no data at all in the book, nothing compared"
