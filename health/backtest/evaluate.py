"""One table to compare ways of predicting churn on the same held-out rows: the scorecard as
it scored (its stored scores), the naive signal (each account's usage events in the 30 days
before the observation: fewer = riskier), the suggested weights (fitted on the training
days) and the learned model (fitted on the training days). Every figure is a pooled ROC AUC
over the test days of one time split, so the four are comparable; nothing is fitted on the
rows it is measured on. The `health_evaluate` command prints it per dataset."""

from collections.abc import Sequence
from datetime import date, timedelta

from django.db.models import Sum

from usage.models import AccountDailyUsage

from ..models import Scorecard
from .auc import auc_fast
from .model import horizon_evaluation, with_features
from .observations import Observation, churn_dates, label, observations, time_split
from .suggest import weights_suggest

__all__ = ["NAIVE_WINDOW_DAYS", "default_weights", "evaluation", "evaluation_of", "events_before"]

NAIVE_WINDOW_DAYS = 30


def events_before(obs: Sequence[Observation], *, window: int = NAIVE_WINDOW_DAYS) -> list[int]:
    """Each observation's account's usage events in the `window` days up to its day (the
    daily rollups: one aggregate query per observation day)."""
    by_day: dict[date, set[int]] = {}
    for o in obs:
        by_day.setdefault(o.day, set()).add(o.account_id)
    counts: dict[tuple[int, date], int] = {}
    for day, accounts in by_day.items():
        rows = (
            AccountDailyUsage.objects.filter(day__gt=day - timedelta(days=window), day__lte=day)
            .values("account_id")
            .annotate(n=Sum("events"))
            .order_by()
        )
        for r in rows:
            if r["account_id"] in accounts:
                counts[(r["account_id"], day)] = r["n"]
    return [counts.get((o.account_id, o.day), 0) for o in obs]


def evaluation_of(obs: Sequence, *, horizon: int, current: dict[str, int]) -> dict:
    """The four AUCs on the test part of these observations' time split (None where the
    history is too short or a side has no churner); `current` = the scorecard's weights.
    `obs` are Observations or health.evaluation's EvalObservations (which carry their
    `label` and `events_30d`; for Observations the count comes from events_before)."""
    result: dict = {"horizon_days": horizon, "default": None, "naive_events": None, "suggested": None, "learned": None}
    split = time_split((o.day for o in obs), horizon=horizon)
    if split is None:
        return {**result, "reason": "short_history"}
    train, test = split.parts(obs)
    labels = [label(o, horizon) for o in test]
    naive = [getattr(o, "events_30d", None) for o in test]
    if any(n is None for n in naive):
        naive = events_before(test)
    suggestion = weights_suggest(obs=obs, horizon=horizon, current=current)
    learned = horizon_evaluation(with_features(obs), horizon)
    return {
        **result,
        "test_start": split.test_start.isoformat(),
        "n_train": len(train),
        "n_test": len(test),
        "churned_test": sum(labels),
        "default": auc_fast(labels, [100 - (o.score if o.score is not None else 50) for o in test]),
        "naive_events": auc_fast(labels, [-n for n in naive]),
        "suggested": suggestion["auc_after"],
        "suggested_weights": suggestion["weights"],
        "learned": learned["auc_test"],
    }


def default_weights() -> dict[str, int]:
    """The current default scorecard's {measure key: weight} ({} without one)."""
    default = Scorecard.objects.current().filter(is_default=True).prefetch_related("measures").first()
    return {m.measure_key: m.weight for m in default.measures.all()} if default else {}


def evaluation(*, as_of: date, horizon: int = 30) -> dict:
    """evaluation_of the default scorecard's history (every version of it) up to `as_of`."""
    default = Scorecard.objects.current().filter(is_default=True).first()
    if default is None:
        return {"horizon_days": horizon, "reason": "no_scorecard"}
    ids = list(Scorecard.objects.lineage(default).values_list("id", flat=True))
    obs = observations(as_of=as_of, horizon=horizon, churn=churn_dates(as_of=as_of), scorecard_ids=ids)
    return evaluation_of(obs, horizon=horizon, current=default_weights())
