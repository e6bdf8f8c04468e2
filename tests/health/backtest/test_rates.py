"""The learned model's event rates (health.backtest.rates): counts per event name over the 30
days up to an observation's day from the daily rollups, nothing after it; every feature
source the model joins is checked against data dated after the observation's day."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from health.backtest import churn_model_train, churn_risks, feature_matrix, feature_names
from health.backtest.model import FEATURE_SOURCES, with_features
from health.backtest.rates import event_rates, with_rates
from health.models import HealthScore
from health.selectors import churn_risks_of, measure_label
from tests.factories.accounts import AccountFactory
from tests.factories.health import seeded_history
from usage.models import AccountDailyUsage

from .conftest import AS_OF

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 31)


@dataclass(frozen=True)
class Obs:
    account_id: int
    day: date
    measures: dict


def _usage(account, day, **counts):
    AccountDailyUsage.objects.create(account=account, day=day, events=sum(counts.values()), features=counts)


def test_rates_count_each_event_over_the_30_days_up_to_the_day():
    a, quiet = AccountFactory(), AccountFactory()
    _usage(a, DAY, post=2, like=5)
    _usage(a, DAY - timedelta(days=29), post=1)
    _usage(a, DAY - timedelta(days=30), post=100)  # outside the window
    _usage(a, DAY + timedelta(days=1), post=100)  # after the day
    rates = event_rates([(a.id, DAY), (quiet.id, DAY)])
    assert rates[(a.id, DAY)] == {
        "rate:like": {"value": 5.0, "score": None},
        "rate:post": {"value": 3.0, "score": None},
    }
    assert rates[(quiet.id, DAY)] == {}


def test_rates_are_one_log_feature_each_zero_without_events():
    measures = {"activity_level": {"value": 40, "score": 40}, "rate:post": {"value": 3.0, "score": None}}
    names = feature_names(["activity_level", "rate:like", "rate:post"])
    assert names == [
        "activity_level",
        "activity_level__missing",
        "activity_level__log",
        "rate:like__log",
        "rate:post__log",
    ]
    row = feature_matrix(names, [measures])[0]
    assert row[3] == 0.0 and row[4] == pytest.approx(1.386, abs=1e-3)


@pytest.mark.parametrize("source", FEATURE_SOURCES, ids=lambda s: s.__name__)
def test_no_feature_source_reads_data_dated_after_the_observation(source):
    """Every source the model joins gives the same features whatever happens after the
    observation's day: rollups (any table a source reads) dated later change nothing."""
    a, b = AccountFactory(), AccountFactory()
    for k in range(40):
        _usage(a, DAY - timedelta(days=k), post=1 + k % 3)
    obs = [Obs(a.id, DAY, {"x": {"value": 1, "score": 50}}), Obs(b.id, DAY - timedelta(days=7), {})]
    before = source(obs)
    for k in range(1, 20):
        _usage(a, DAY + timedelta(days=k), post=50, unfriend=9)
        _usage(b, DAY + timedelta(days=k - 7), post=50, unfriend=9)
    after = source(obs)
    assert [o.measures for o in after] == [o.measures for o in before]
    assert before[0].measures["x"] == {"value": 1, "score": 50}  # the snapshot's own measures kept


def test_the_model_learns_from_the_rates_and_scores_a_page_with_them(two_measures):
    """Usage that follows the fading signal: the model gets rate features, and a page of
    snapshots scored through the selector (rates joined in one pass) matches the vectorised
    scoring of the same joined measures."""
    seeded_history(scorecard=two_measures, as_of=AS_OF, usage=True, accounts=80)
    AccountDailyUsage.objects.update(features={"login": 1})
    model = churn_model_train(as_of=AS_OF)
    assert "rate:login__log" in model.features
    snaps = list(HealthScore.objects.filter(day=AS_OF).order_by("account_id")[:20])
    scored = churn_risks_of(model, snaps)
    joined = [o.measures for o in with_rates(snaps_as_obs(snaps))]
    assert [s["probability"] for s in scored] == pytest.approx(list(churn_risks(model, joined)))
    assert with_features(snaps_as_obs(snaps))[0].measures.keys() == joined[0].keys()


def snaps_as_obs(snaps):
    return [Obs(s.account_id, s.day, s.measures) for s in snaps]


def test_a_rate_reason_has_a_label():
    assert measure_label("rate:post") == "post events in the last 30 days"
