"""New weights as a new scorecard version (health.services.versions): the old version is
kept, read-only, its snapshots untouched; only the new one scores from then on."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from health.models import HealthScore, Scorecard
from health.services import health_recompute, scorecard_suggestion_apply, scorecard_version_create, today
from tests.factories.accounts import AccountFactory
from tests.factories.health import ScorecardFactory, ScorecardMeasureFactory, at, seeded_history
from tests.factories.usage import UsageEventFactory
from tests.health.backtest.conftest import AS_OF, two_measures  # noqa: F401
from usage.rollups import usage_rollup_rebuild

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored_default(admin_user):
    scorecard = ScorecardFactory(name="Default", is_default=True)
    ScorecardMeasureFactory(scorecard=scorecard, measure_key="usage_frequency", weight=30, points=[[0, 0], [20, 100]])
    ScorecardMeasureFactory(scorecard=scorecard, measure_key="open_tickets", weight=10, points=[[0, 100], [10, 0]])
    account = AccountFactory()
    for offset in range(5):
        UsageEventFactory(account=account, occurred_at=at(today() - timedelta(days=offset)))
    usage_rollup_rebuild()
    health_recompute(as_of=today() - timedelta(days=1))
    return scorecard, account


def test_new_weights_make_a_new_version_and_keep_the_old(scored_default, admin_user):
    old, account = scored_default
    before = HealthScore.objects.get(account=account)
    new = scorecard_version_create(
        scorecard=old, weights={"usage_frequency": 60, "open_tickets": 0}, author=admin_user, note="Tried on Q2"
    )
    old.refresh_from_db()
    assert old.is_retired and not old.is_default and old.version == 1
    assert new.version == 2 and new.first_version == old and new.is_default and new.name == "Default"
    assert new.note == "Tried on Q2" and new.created_by == admin_user
    assert list(new.measures.values_list("measure_key", "weight", "points")) == [
        ("usage_frequency", 60, [[0, 0], [20, 100]])
    ]
    assert list(old.measures.values_list("measure_key", "weight")) == [("usage_frequency", 30), ("open_tickets", 10)]
    assert list(Scorecard.objects.lineage(new)) == [old, new]
    assert list(Scorecard.objects.current()) == [new]
    # The old version's scores stay as they were; the next recompute scores with the new one.
    health_recompute(as_of=today())
    after_old = HealthScore.objects.get(account=account, day=before.day)
    assert (after_old.score, after_old.scorecard_id, after_old.measures) == (
        before.score,
        old.id,
        before.measures,
    )
    now = HealthScore.objects.get(account=account, day=today())
    assert now.scorecard_id == new.id and set(now.measures) == {"usage_frequency"}


def test_a_retired_or_moved_on_version_is_refused(scored_default):
    old, _ = scored_default
    new = scorecard_version_create(scorecard=old, weights={"usage_frequency": 50}, expected_version=1)
    with pytest.raises(ValidationError):  # a second click on the same suggestion
        scorecard_version_create(scorecard=new, weights={"usage_frequency": 50}, expected_version=1)
    with pytest.raises(ValidationError):
        scorecard_version_create(scorecard=old, weights={"usage_frequency": 50})
    with pytest.raises(ValidationError):
        scorecard_version_create(scorecard=new, weights={"depth": 50})
    with pytest.raises(ValidationError):
        scorecard_version_create(scorecard=new, weights={"usage_frequency": 0})
    assert Scorecard.objects.count() == 2


def test_apply_the_suggestion_drops_the_noise(two_measures, admin_user):  # noqa: F811
    seeded_history(scorecard=two_measures, as_of=AS_OF)
    new = scorecard_suggestion_apply(scorecard=two_measures, as_of=AS_OF, author=admin_user, expected_version=1)
    assert dict(new.measures.values_list("measure_key", "weight")) == {"signal": 100}
    assert "Dropped: noise." in new.note and "Held-out AUC" in new.note
    # The history the suggestion came from still belongs to the old version.
    assert not HealthScore.objects.filter(scorecard=new).exists()
