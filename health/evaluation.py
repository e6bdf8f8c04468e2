"""How well health ranks future churners on a book's own history (issue 19): the pooled
ROC AUC over several observation days of the default scorecard against naive signals,
`manage.py health_evaluate` (docs/health.md has the table per dataset).

An observation is (day d, account) for an account with a paid subscription active on d and
not churned by then; it is positive when the account churns (health.backtest.churn_dates)
in (d, d + horizon]. Observation days are every `step` days back from the last day whose
outcome is known (the data's last day - horizon). Accounts whose snapshot says
"insufficient history" (health.measures_activity.MIN_HISTORY_DAYS) are pooled apart.

Each column is an Evaluator: a function from the observations to risks (higher = more
likely to churn). Health registers the scorecard's and the naive ones; more (suggested
weights, the learned model) register with register_evaluator.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max, Q, Sum

from accounts.models import Subscription
from usage.models import AccountDailyUsage

from .backtest import auc, churn_dates
from .backtest.evaluate import default_weights, evaluation_of
from .measures_activity import MIN_HISTORY_DAYS
from .models import HealthScore
from .recompute import health_recompute, today
from .sql.activity import RECENT_DAYS

__all__ = [
    "EVALUATORS",
    "EvalObservation",
    "Evaluator",
    "evaluation_days",
    "evaluation_observations",
    "evaluation_run",
    "register_evaluator",
]


@dataclass(frozen=True)
class EvalObservation:
    account_id: int
    day: date
    label: int
    score: int | None  # the day's computed score (measures only, no override)
    measures: dict
    events_30d: int
    insufficient: bool


@dataclass(frozen=True)
class Evaluator:
    key: str
    label: str
    risks: Callable[[Sequence[EvalObservation]], list[float]]


EVALUATORS: dict[str, Evaluator] = {}


def register_evaluator(evaluator: Evaluator) -> None:
    EVALUATORS[evaluator.key] = evaluator


def _scorecard_risks(obs: Sequence[EvalObservation]) -> list[float]:
    return [100.0 - (o.score if o.score is not None else 50) for o in obs]


def _naive_risks(obs: Sequence[EvalObservation]) -> list[float]:
    return [-float(o.events_30d) for o in obs]


register_evaluator(Evaluator("scorecard", "Default scorecard", _scorecard_risks))
register_evaluator(Evaluator("events_30d", "Events in the last 30 days", _naive_risks))


def data_last_day() -> date | None:
    """The last day with usage (the end of an imported dataset)."""
    return AccountDailyUsage.objects.aggregate(last=Max("day"))["last"]


def evaluation_days(*, last_day: date, dates: int, horizon: int, step: int = 7) -> list[date]:
    """`dates` observation days, every `step` days back from last_day - horizon, oldest first."""
    end = last_day - timedelta(days=horizon)
    return [end - timedelta(days=step * k) for k in range(dates - 1, -1, -1)]


def evaluation_observations(*, days: Sequence[date], horizon: int) -> list[EvalObservation]:
    """Observations of these days from their snapshots (three queries a day)."""
    churn = churn_dates(as_of=max(today(), max(days) + timedelta(days=horizon)))
    result = []
    for day in days:
        active = set(
            Subscription.objects.paid()
            .filter(Q(end_date__isnull=True) | Q(end_date__gt=day), start_date__lte=day)
            .values_list("account_id", flat=True)
        )
        events = dict(
            AccountDailyUsage.objects.filter(day__gt=day - timedelta(days=RECENT_DAYS), day__lte=day)
            .values("account_id")
            .annotate(n=Sum("events"))
            .values_list("account_id", "n")
            .order_by()
        )
        snaps = HealthScore.objects.filter(day=day, account_id__in=sorted(active)).values_list(
            "account_id", "computed_score", "measures"
        )
        for account_id, computed, measures in snaps:
            churn_day = churn.get(account_id)
            if churn_day is not None and churn_day <= day:
                continue
            history = (measures.get("history_days") or {}).get("value")
            result.append(
                EvalObservation(
                    account_id=account_id,
                    day=day,
                    label=int(churn_day is not None and churn_day <= day + timedelta(days=horizon)),
                    score=computed,
                    measures=measures,
                    events_30d=int(events.get(account_id) or 0),
                    insufficient=history is not None and history < MIN_HISTORY_DAYS,
                )
            )
    return result


def evaluation_run(
    *, days: Sequence[date], horizon: int, rebuild: bool = False, evaluators: Sequence[str] | None = None, log=None
) -> dict:
    """Pooled AUC per evaluator over the observations with enough history, and the
    scorecard's over those without. With `rebuild`, each day is recomputed first."""
    if rebuild:
        for day in days:
            health_recompute(as_of=day)
            if log:
                log(f"recomputed {day}")
    obs = evaluation_observations(days=days, horizon=horizon)
    pooled = [o for o in obs if not o.insufficient]
    short = [o for o in obs if o.insufficient]
    labels = [o.label for o in pooled]
    rows = []
    for key in evaluators or list(EVALUATORS):
        ev = EVALUATORS[key]
        rows.append({"key": ev.key, "label": ev.label, "auc": auc(labels, ev.risks(pooled))})
    # Fitted columns (suggested weights, learned model) only on rows they were not fitted on:
    # all four on the later days of a time split (health.backtest.evaluate).
    held_out = evaluation_of(pooled, horizon=horizon, current=default_weights())
    return {
        "held_out": held_out,
        "days": [d.isoformat() for d in days],
        "horizon_days": horizon,
        "observations": len(pooled),
        "churned": sum(labels),
        "accounts": len({o.account_id for o in pooled}),
        "rows": rows,
        "insufficient_history": {
            "observations": len(short),
            "churned": sum(o.label for o in short),
            "auc_scorecard": auc([o.label for o in short], _scorecard_risks(short)),
        },
    }
