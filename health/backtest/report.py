"""The scorecard's backtest: for each horizon, how well past scores ranked the accounts that
churned (AUC, ROC curve), the churn rate and lift per band, and the AUC with other weights."""

from collections.abc import Sequence
from datetime import date

from ..scoring import rescore
from .auc import auc, roc_curve
from .observations import HORIZONS, Observation, churn_dates, label, observations

__all__ = ["backtest", "horizon_report"]


def horizon_report(obs: Sequence[Observation], horizon: int, weights: dict[str, float] | None = None) -> dict:
    """AUC, churn rate per band, lift (red's churn rate over the base rate) for one horizon;
    with `weights`, also the AUC of the snapshots rescored with those weights."""
    labels = [label(o, horizon) for o in obs]
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
