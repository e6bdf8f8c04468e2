"""Observations: who churned when, and the past snapshots whose outcome is known.

Churn: an account churned on the day its last paid subscription ended, when no paid
subscription is open and that day is past. An observation is a snapshot on day t of an
account still active at t (not churned yet); it is positive for horizon h when the account
churned in (t, t + h]. Observation days are every `step` days counted back from `as_of`,
with t + h <= as_of, so the outcome is known.

Everything here reads what an imported history has too: subscriptions (their real dates)
and the snapshots `recompute_health --as-of` / `--backfill` wrote; nothing demo-only.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Max, Q

from accounts.models import Subscription

from ..models import HealthScore

__all__ = [
    "HORIZONS",
    "MAX_ROWS",
    "STEP_DAYS",
    "Observation",
    "TimeSplit",
    "churn_dates",
    "label",
    "observations",
    "time_split",
]

HORIZONS = (30, 60, 90)
STEP_DAYS = 7
MAX_ROWS = 60_000
# The share of observation days (the latest) held out to test on.
TEST_SHARE = 0.4


def churn_dates(*, as_of: date) -> dict[int, date]:
    """Churn day per churned account (one aggregate over paid subscriptions)."""
    rows = (
        Subscription.objects.paid()
        .values("account_id")
        .annotate(last_end=Max("end_date"), open=Count("id", filter=Q(end_date__isnull=True)))
        .filter(open=0, last_end__lte=as_of)
    )
    return {r["account_id"]: r["last_end"] for r in rows}


@dataclass
class Observation:
    account_id: int
    day: date
    score: int
    band: str
    measures: dict
    churn_day: date | None
    scorecard_id: int | None = None


def label(o, horizon: int) -> int:
    """1 when the account churned within `horizon` days after the observation. An
    observation that carries its own `label` for the horizon (health.evaluation's) keeps it."""
    known = getattr(o, "label", None)
    if isinstance(known, int):
        return known
    return int(o.churn_day is not None and o.churn_day <= o.day + timedelta(days=horizon))


def observation_days(*, as_of: date, horizon: int, step: int = STEP_DAYS) -> tuple[date, int]:
    """The latest observation day for `horizon` (on a grid every `step` days counted back from
    as_of, at least `horizon` days back: the same grid for every horizon, which a history kept
    daily only for its last weeks and weekly before holds too), and the step."""
    return as_of - timedelta(days=step * math.ceil(horizon / step)), step


def observations(
    *,
    as_of: date,
    horizon: int,
    step: int = STEP_DAYS,
    churn: dict[int, date] | None = None,
    scorecard_ids: Iterable[int] | None = None,
) -> list[Observation]:
    """Snapshots on observation days whose outcome over `horizon` is known, of accounts
    still active that day (only those scored by `scorecard_ids`, when given). Large books
    are sampled by account id to at most MAX_ROWS rows."""
    churn = churn if churn is not None else churn_dates(as_of=as_of)
    last_day, step = observation_days(as_of=as_of, horizon=horizon, step=step)
    base = HealthScore.objects.all()
    if scorecard_ids is not None:
        base = base.filter(scorecard_id__in=list(scorecard_ids))
    first = base.filter(day__lte=last_day).order_by("day").values_list("day", flat=True).first()
    if first is None:
        return []
    days = []
    d = last_day
    while d >= first:
        days.append(d)
        d -= timedelta(days=step)
    qs = base.filter(day__in=days)
    # One pass over the days' rows gives both the count and the accounts (a count, then a
    # DISTINCT, read the 1.3M rows of the 100k demo twice: inside the seed's transaction
    # every index entry needs its heap row).
    accounts = list(qs.order_by().values_list("account_id", flat=True))
    total = len(accounts)
    if total > MAX_ROWS:
        modulus = math.ceil(total / MAX_ROWS)
        qs = qs.filter(account_id__in=sorted({i for i in accounts if i % modulus == 0}))
    result = []
    for account_id, day, score, band, measures, scorecard_id in qs.values_list(
        "account_id", "day", "score", "band", "measures", "scorecard_id"
    ).iterator(chunk_size=5000):
        churn_day = churn.get(account_id)
        if churn_day is not None and churn_day <= day:
            continue
        result.append(Observation(account_id, day, score, band, measures, churn_day, scorecard_id))
    return result


@dataclass(frozen=True)
class TimeSplit:
    """Train on observation days up to `train_last` (their label window, (t, t + horizon],
    ends on or before `test_start`), test on days from `test_start`: no label and no
    feature of the training rows comes from the test period."""

    horizon: int
    train_last: date
    test_start: date

    def is_train(self, o: Observation) -> bool:
        return o.day + timedelta(days=self.horizon) <= self.test_start

    def is_test(self, o: Observation) -> bool:
        return o.day >= self.test_start

    def parts(self, obs: Sequence[Observation]) -> tuple[list[Observation], list[Observation]]:
        return [o for o in obs if self.is_train(o)], [o for o in obs if self.is_test(o)]


def time_split(days: Iterable[date], *, horizon: int, test_share: float = TEST_SHARE) -> TimeSplit | None:
    """The split of these observation days into an earlier training part and a later test
    part (about `test_share` of the days), with a gap of `horizon` days between the last
    training day and the first test day. None when the history is too short for both parts
    (a 60-day horizon needs about 130 days of snapshots)."""
    days = sorted(set(days))
    if len(days) < 2:
        return None
    # The most test days (up to test_share of them) that still leave a training day.
    for k in range(max(1, round(len(days) * test_share)), 0, -1):
        test_start = days[-k]
        train = [d for d in days if d + timedelta(days=horizon) <= test_start]
        if train:
            return TimeSplit(horizon=horizon, train_last=train[-1], test_start=test_start)
    return None
