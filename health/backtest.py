"""Score the score: how well past snapshots predicted churn, what other weights would have
done, and a learned churn-risk model (logistic regression on the snapshot measure scores).

Churn: an account churned on the day its last paid subscription ended, when no paid
subscription is open and that day is past. An observation is a snapshot on day t of an
account still active at t (not churned yet); it is positive for horizon h when the account
churned in (t, t + h]. Observation days are every `step` days counted back from today,
with t + h <= today, so the outcome is known. Risk = 100 - score for the scorecard.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Max, Q

from accounts.models import Subscription

from .models import ChurnModel, HealthScore
from .scoring import rescore

HORIZONS = (30, 60, 90)
MODEL_HORIZON = 60
STEP_DAYS = 7
MAX_ROWS = 60_000


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


def observations(
    *, as_of: date, horizon: int, step: int = STEP_DAYS, churn: dict[int, date] | None = None
) -> list[Observation]:
    """Snapshots on observation days whose outcome over `horizon` is known, of accounts
    still active that day. Large books are sampled by account id to at most MAX_ROWS rows."""
    churn = churn if churn is not None else churn_dates(as_of=as_of)
    # On a grid every `step` days counted back from as_of, the latest at least `horizon`
    # days back: the same days for every horizon, which a history kept daily only for its
    # last weeks and weekly before (health_backfill's `daily`) holds too.
    last_day = as_of - timedelta(days=step * math.ceil(horizon / step))
    first = HealthScore.objects.filter(day__lte=last_day).order_by("day").values_list("day", flat=True).first()
    if first is None:
        return []
    days = []
    d = last_day
    while d >= first:
        days.append(d)
        d -= timedelta(days=step)
    qs = HealthScore.objects.filter(day__in=days)
    # One pass over the days' rows gives both the count and the accounts (a count, then a
    # DISTINCT, read the 1.3M rows of the 100k demo twice: inside the seed's transaction
    # every index entry needs its heap row).
    accounts = list(qs.order_by().values_list("account_id", flat=True))
    total = len(accounts)
    if total > MAX_ROWS:
        modulus = math.ceil(total / MAX_ROWS)
        qs = qs.filter(account_id__in=sorted({i for i in accounts if i % modulus == 0}))
    result = []
    for account_id, day, score, band, measures in qs.values_list(
        "account_id", "day", "score", "band", "measures"
    ).iterator(chunk_size=5000):
        churn_day = churn.get(account_id)
        if churn_day is not None and churn_day <= day:
            continue
        result.append(Observation(account_id, day, score, band, measures, churn_day))
    return result


def _label(o: Observation, horizon: int) -> int:
    return int(o.churn_day is not None and o.churn_day <= o.day + timedelta(days=horizon))


def auc(labels: Sequence[int], risks: Sequence[float]) -> float | None:
    """ROC AUC by ranks (ties get the average rank); None without both classes."""
    n_pos = sum(labels)
    n_neg = len(labels) - n_pos
    if not n_pos or not n_neg:
        return None
    order = sorted(range(len(risks)), key=lambda i: risks[i])
    ranks = [0.0] * len(risks)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and risks[order[j + 1]] == risks[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    pos_ranks = sum(r for r, y in zip(ranks, labels, strict=True) if y)
    return (pos_ranks - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def roc_curve(labels: Sequence[int], risks: Sequence[float], max_points: int = 60) -> list[tuple[float, float]]:
    """The ROC curve as (false positive rate, true positive rate) points from (0, 0) to (1, 1),
    one per distinct risk threshold (highest risk first), thinned to about `max_points`;
    [] without both classes. The area under it is `auc`."""
    n_pos = sum(labels)
    n_neg = len(labels) - n_pos
    if not n_pos or not n_neg:
        return []
    pairs = sorted(zip(risks, labels, strict=True), key=lambda p: -p[0])
    points, tp, fp = [(0.0, 0.0)], 0, 0
    for i, (risk, label) in enumerate(pairs):
        tp += label
        fp += 1 - label
        if i + 1 == len(pairs) or pairs[i + 1][0] != risk:
            points.append((fp / n_neg, tp / n_pos))
    if len(points) > max_points:
        step = len(points) / (max_points - 1)
        points = [points[round(k * step)] for k in range(max_points - 1)] + [points[-1]]
    return [(round(x, 4), round(y, 4)) for x, y in points]


def horizon_report(obs: Sequence[Observation], horizon: int, weights: dict[str, float] | None = None) -> dict:
    """AUC, churn rate per band, lift (red's churn rate over the base rate) for one horizon;
    with `weights`, also the AUC of the snapshots rescored with those weights."""
    labels = [_label(o, horizon) for o in obs]
    risks = [100 - o.score for o in obs]
    base = sum(labels) / len(labels) if labels else None
    bands = {}
    for band in ("red", "yellow", "green"):
        in_band = [y for o, y in zip(obs, labels, strict=True) if o.band == band]
        rate = sum(in_band) / len(in_band) if in_band else None
        bands[band] = {
            "observations": len(in_band),
            "churned": sum(in_band),
            "churn_rate": rate,
            "lift": (rate / base) if rate is not None and base else None,
        }
    report = {
        "horizon_days": horizon,
        "observations": len(obs),
        "churned": sum(labels),
        "churn_rate": base,
        "auc": auc(labels, risks),
        "roc": roc_curve(labels, risks),
        "bands": bands,
    }
    if weights is not None:
        rescored = [rescore(o.measures, weights) for o in obs]
        report["auc_reweighted"] = auc(labels, [100 - (s if s is not None else 50) for s in rescored])
    return report


def backtest(*, as_of: date, weights: dict[str, float] | None = None, horizons: Sequence[int] = HORIZONS) -> dict:
    churn = churn_dates(as_of=as_of)
    return {
        "as_of": as_of,
        "horizons": [horizon_report(observations(as_of=as_of, horizon=h, churn=churn), h, weights) for h in horizons],
    }


# Section: learned model


def _features(keys: Sequence[str], measures: dict) -> list[float]:
    row = []
    for key in keys:
        s = (measures.get(key) or {}).get("score")
        row.append(50.0 if s is None else float(s))
    row.extend(0.0 if (measures.get(key) or {}).get("score") is not None else 1.0 for key in keys)
    return row


def churn_model_train(*, as_of: date, horizon: int = MODEL_HORIZON) -> ChurnModel | None:
    """Fit a logistic regression on the snapshot measure scores (older observation days)
    and test it on the newer ones beside the scorecard. None without both outcomes."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    obs = observations(as_of=as_of, horizon=horizon)
    if not obs:
        return None
    keys = sorted({k for o in obs for k in o.measures if not k.startswith("_")})
    X = np.array([_features(keys, o.measures) for o in obs])
    y = np.array([_label(o, horizon) for o in obs])
    if y.sum() < 2 or y.sum() == len(y):
        return None
    days = sorted({o.day for o in obs})
    cutoff = days[int(len(days) * 0.6)] if len(days) >= 3 else days[-1]
    train = np.array([o.day < cutoff for o in obs])
    if y[train].sum() < 2 or y[train].sum() == train.sum() or len(set(y[~train])) < 2:
        train = np.ones(len(obs), dtype=bool)  # too little history to hold out: in-sample
    means, scales = X[train].mean(axis=0), X[train].std(axis=0)
    scales[scales == 0] = 1.0
    Z = (X - means) / scales
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=500)
    model.fit(Z[train], y[train])
    test = ~train if (~train).any() else train
    risk = model.predict_proba(Z[test])[:, 1]
    scorecard_risk = np.array([100 - o.score for o in obs])[test]
    return ChurnModel.objects.create(
        horizon_days=horizon,
        features=keys + [f"{k}__missing" for k in keys],
        coefficients=[float(c) for c in model.coef_[0]],
        intercept=float(model.intercept_[0]),
        means=[float(m) for m in means],
        scales=[float(s) for s in scales],
        metrics={
            "auc_test": float(roc_auc_score(y[test], risk)),
            "auc_scorecard_test": float(roc_auc_score(y[test], scorecard_risk)),
            "n_train": int(train.sum()),
            "n_test": int(test.sum()),
            "churned_train": int(y[train].sum()),
            "churned_test": int(y[test].sum()),
            "held_out": bool((~train).any()),
            "cutoff": cutoff.isoformat(),
        },
    )


def churn_risk(model: ChurnModel, measures: dict, top: int = 3) -> tuple[float, list[dict]]:
    """Churn probability of one snapshot, and the measures pushing it up most (coefficient
    x standardised value, against the average account)."""
    keys = [f for f in model.features if not f.endswith("__missing")]
    x = _features(keys, measures)
    terms = [(c * (v - m) / s) for c, v, m, s in zip(model.coefficients, x, model.means, model.scales, strict=True)]
    logit = model.intercept + sum(terms)
    probability = 1 / (1 + math.exp(-max(-50.0, min(50.0, logit))))
    by_measure: dict[str, float] = {}
    for name, t in zip(model.features, terms, strict=True):
        key = name.removesuffix("__missing")
        by_measure[key] = by_measure.get(key, 0.0) + t
    reasons = [
        {"measure": k, "impact": round(v, 3), "value": (measures.get(k) or {}).get("value")}
        for k, v in sorted(by_measure.items(), key=lambda kv: -kv[1])
        if v > 0
    ][:top]
    return probability, reasons
