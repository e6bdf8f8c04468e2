"""Score the score, and learn from the history: how well past snapshots predicted churn
(report), which weights the history suggests (suggest), a learned churn-risk model (model,
features), and the evaluation of all of them on held-out later dates (evaluate). The
observations and the time split they share live in `observations`; AUC arithmetic in `auc`."""

from .auc import auc, auc_fast, roc_curve
from .evaluate import NAIVE_WINDOW_DAYS, evaluation, evaluation_of, events_before
from .features import feature_keys, feature_matrix, feature_names, feature_row
from .model import MODEL_HORIZON, churn_model_train, churn_risk, churn_risks, horizon_evaluation
from .observations import (
    HORIZONS,
    MAX_ROWS,
    STEP_DAYS,
    Observation,
    TimeSplit,
    churn_dates,
    label,
    observations,
    time_split,
)
from .report import backtest, horizon_report
from .suggest import EPSILON, MIN_COVERAGE, SUGGEST_HORIZON, scorecard_suggestion, weights_suggest

__all__ = [
    "EPSILON",
    "HORIZONS",
    "MAX_ROWS",
    "MIN_COVERAGE",
    "MODEL_HORIZON",
    "NAIVE_WINDOW_DAYS",
    "STEP_DAYS",
    "SUGGEST_HORIZON",
    "Observation",
    "TimeSplit",
    "auc",
    "auc_fast",
    "backtest",
    "churn_dates",
    "churn_model_train",
    "churn_risk",
    "churn_risks",
    "evaluation",
    "evaluation_of",
    "events_before",
    "feature_keys",
    "feature_matrix",
    "feature_names",
    "feature_row",
    "horizon_evaluation",
    "horizon_report",
    "label",
    "observations",
    "roc_curve",
    "scorecard_suggestion",
    "time_split",
    "weights_suggest",
]
