"""The learned churn model: a logistic regression on the snapshots' measures (features.py),
trained on the team's own history, its held-out AUC per horizon measured with a time split
(observations.time_split: no label or feature from the test period reaches the training),
stored as plain coefficients so scoring an account needs no scikit-learn.

The stored model predicts churn within MODEL_HORIZON (60) days; it is fitted on every
observation whose outcome is known (the held-out figures say how well that recipe did on
later dates it had not seen). Retraining for the same `as_of` replaces that day's model."""

import math
from collections.abc import Sequence
from datetime import date

from django.db import transaction

from ..models import ChurnModel
from .auc import auc_fast
from .features import feature_keys, feature_matrix, feature_names, feature_row, measure_of_feature
from .observations import HORIZONS, Observation, churn_dates, label, observations, time_split
from .rates import with_rates

__all__ = [
    "FEATURE_SOURCES",
    "MODEL_HORIZON",
    "churn_model_train",
    "churn_risk",
    "churn_risks",
    "horizon_evaluation",
    "with_features",
]

MODEL_HORIZON = 60
# scikit-learn's C (smaller = stronger pull of the coefficients to 0), chosen per fit among
# these by cross-validation over the training rows alone, folds grouped by account.
REGULARISATIONS = (0.01, 0.1, 1.0)
CV_FOLDS = 3
MIN_CHURNED = 2
# What joins more features to the observations, each from data as of the observation's day
# (nothing later): tests/health/backtest/test_rates.py checks every source here against data
# dated after the day.
FEATURE_SOURCES = (with_rates,)


def with_features(obs: Sequence) -> list:
    """These observations with every FEATURE_SOURCES' features joined to their measures."""
    obs = list(obs)
    for source in FEATURE_SOURCES:
        obs = source(obs)
    return obs


def _regularisation(Z, y, groups) -> float:
    """The C whose model ranked churners best on accounts it was not fitted on (GroupKFold
    over the training rows: the test period is never looked at)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    if groups is None or len(set(groups)) < CV_FOLDS or int(y.sum()) < 2 * CV_FOLDS:
        return REGULARISATIONS[0]
    scores = {c: [] for c in REGULARISATIONS}
    for fit_rows, check_rows in GroupKFold(n_splits=CV_FOLDS).split(Z, y, groups):
        if len(set(y[fit_rows])) < 2 or len(set(y[check_rows])) < 2:
            continue
        for c in REGULARISATIONS:
            model = LogisticRegression(C=c, class_weight="balanced", max_iter=1000).fit(Z[fit_rows], y[fit_rows])
            scores[c].append(auc_fast(y[check_rows], model.predict_proba(Z[check_rows])[:, 1]) or 0.5)
    means = {c: float(np.mean(v)) for c, v in scores.items() if v}
    return max(means, key=lambda c: (means[c], -c)) if means else REGULARISATIONS[0]


def _fit(X, y, groups=None):
    """Standardise on these rows, choose C on them, fit; (model, means, scales)."""
    from sklearn.linear_model import LogisticRegression

    means, scales = X.mean(axis=0), X.std(axis=0)
    scales[scales == 0] = 1.0
    Z = (X - means) / scales
    model = LogisticRegression(C=_regularisation(Z, y, groups), class_weight="balanced", max_iter=1000)
    model.fit(Z, y)
    return model, means, scales


def _both_classes(y) -> bool:
    churned = int(y.sum())
    return churned >= MIN_CHURNED and churned < len(y)


def horizon_evaluation(obs: Sequence[Observation], horizon: int, names: Sequence[str] | None = None) -> dict:
    """Held-out AUC of the learned model for one horizon: fitted on the training part of a
    time split, scored on the later test part, beside the scorecard on the same rows (the
    features are the observations' measures, with the event rates when the caller joined
    them: with_features). Without
    a split (too little history) or without churners on both sides, the AUCs are None and
    `reason` says why."""
    result: dict = {"horizon_days": horizon, "auc_test": None, "auc_scorecard_test": None}
    split = time_split((o.day for o in obs), horizon=horizon)
    if split is None:
        days = sorted({o.day for o in obs})
        span = (days[-1] - days[0]).days if days else 0
        return {**result, "reason": "short_history", "history_days": span}
    train, test = split.parts(obs)
    names = list(names) if names is not None else feature_names(feature_keys([o.measures for o in train]))
    import numpy as np

    y_train = np.array([label(o, horizon) for o in train])
    y_test = np.array([label(o, horizon) for o in test])
    result.update(
        train_last=split.train_last.isoformat(),
        test_start=split.test_start.isoformat(),
        n_train=len(train),
        n_test=len(test),
        churned_train=int(y_train.sum()),
        churned_test=int(y_test.sum()),
    )
    if not _both_classes(y_train) or not _both_classes(y_test):
        return {**result, "reason": "too_few_churned"}
    model, means, scales = _fit(
        feature_matrix(names, [o.measures for o in train]), y_train, [o.account_id for o in train]
    )
    risk = model.predict_proba((feature_matrix(names, [o.measures for o in test]) - means) / scales)[:, 1]
    result["auc_test"] = auc_fast(y_test, risk)
    result["regularisation"] = float(model.C)
    result["auc_scorecard_test"] = auc_fast(y_test, [100 - (o.score if o.score is not None else 50) for o in test])
    return result


@transaction.atomic
def churn_model_train(
    *, as_of: date, horizon: int = MODEL_HORIZON, horizons: Sequence[int] = HORIZONS
) -> ChurnModel | None:
    """Evaluate the model per horizon (held-out, time split), fit the `horizon` model on every
    observation with a known outcome and store it as `as_of`'s model (replacing one trained
    for the same day: the nightly task may run twice). None without both outcomes."""
    import numpy as np

    churn = churn_dates(as_of=as_of)
    obs = with_features(observations(as_of=as_of, horizon=horizon, churn=churn))
    if not obs:
        return None
    names = feature_names(feature_keys([o.measures for o in obs]))
    y = np.array([label(o, horizon) for o in obs])
    if not _both_classes(y):
        return None
    per_horizon = {
        str(h): horizon_evaluation(
            obs if h == horizon else with_features(observations(as_of=as_of, horizon=h, churn=churn)), h, names
        )
        for h in sorted({*horizons, horizon})
    }
    model, means, scales = _fit(feature_matrix(names, [o.measures for o in obs]), y, [o.account_id for o in obs])
    own = per_horizon[str(horizon)]
    ChurnModel.objects.filter(as_of=as_of).delete()
    return ChurnModel.objects.create(
        as_of=as_of,
        horizon_days=horizon,
        features=names,
        coefficients=[float(c) for c in model.coef_[0]],
        intercept=float(model.intercept_[0]),
        means=[float(m) for m in means],
        scales=[float(s) for s in scales],
        metrics={
            "auc_test": own["auc_test"],
            "auc_scorecard_test": own["auc_scorecard_test"],
            "held_out": own["auc_test"] is not None,
            "n_train": len(obs),
            "churned_train": int(y.sum()),
            "n_test": own.get("n_test", 0),
            "horizons": per_horizon,
            "regularisation": float(model.C),
        },
    )


def _logit_terms(model: ChurnModel, x: Sequence[float]) -> list[float]:
    return [c * (v - m) / s for c, v, m, s in zip(model.coefficients, x, model.means, model.scales, strict=True)]


def _probability(logit: float) -> float:
    return 1 / (1 + math.exp(-max(-50.0, min(50.0, logit))))


def churn_risk(model: ChurnModel, measures: dict, top: int = 3) -> tuple[float, list[dict]]:
    """Churn probability of one snapshot, and the measures pushing it up most (coefficient
    x standardised value, against the average account, summed over a measure's features)."""
    terms = _logit_terms(model, feature_row(model.features, measures))
    probability = _probability(model.intercept + sum(terms))
    by_measure: dict[str, float] = {}
    for name, t in zip(model.features, terms, strict=True):
        key = measure_of_feature(name)
        by_measure[key] = by_measure.get(key, 0.0) + t
    reasons = [
        {"measure": k, "impact": round(v, 3), "value": (measures.get(k) or {}).get("value")}
        for k, v in sorted(by_measure.items(), key=lambda kv: -kv[1])
        if v > 0
    ][:top]
    return probability, reasons


def churn_risks(model: ChurnModel, measures_list: Sequence[dict]):
    """Churn probabilities of many snapshots in one vectorised pass (a numpy array)."""
    import numpy as np

    if not measures_list:
        return np.zeros(0)
    X = feature_matrix(model.features, measures_list)
    logits = model.intercept + ((X - np.array(model.means)) / np.array(model.scales)) @ np.array(model.coefficients)
    return 1 / (1 + np.exp(-np.clip(logits, -50, 50)))
