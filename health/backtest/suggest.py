"""Suggested weights from the team's own history: how well each measure of a scorecard
separated the accounts that churned from those that stayed on past observation days, and
weights (and measures to drop) that follow from it, checked on later days they were not
fitted on.

On the training part of a time split (observations.time_split) each measure gets its AUC
(risk = 100 - its score, over the snapshots where it has data), its coverage (share of
snapshots with data) and its stability (share of observation days on which it ranked
churners above stayers). A measure with too little data, or an AUC at most 0.5 + EPSILON, is
dropped; the others are weighted by their effect (AUC - 0.5), linearly or squared, or keep
today's weights; or nothing changes (today's weights, nothing dropped): of the four, the one
with the best pooled AUC on accounts its statistics were not taken from (folds by account over
the training days) wins, today's weights on a tie.
The pooled AUC before (today's weights) and after (the suggestion) is then measured on the
held-out later days."""

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from .auc import auc_fast
from .observations import Observation, label, time_split

__all__ = [
    "EPSILON",
    "MIN_COVERAGE",
    "SUGGEST_HORIZON",
    "MeasureStat",
    "pooled_auc",
    "rescore_many",
    "scorecard_suggestion",
    "weights_suggest",
]

# The horizon the suggestion is fitted for: the shortest, the one a short history can hold out.
SUGGEST_HORIZON = 30
EPSILON = 0.02
MIN_COVERAGE = 0.05
TOTAL_WEIGHT = 100


@dataclass
class MeasureStat:
    key: str
    auc: float | None
    coverage: float
    stability: float | None
    current_weight: int
    suggested_weight: int = 0
    dropped: bool = False
    reason: str = ""  # "no_data" or "no_signal" when dropped


def _score_matrix(obs: Sequence[Observation], keys: Sequence[str]):
    """Each observation's stored 0-100 score per measure (NaN = no data)."""
    import numpy as np

    S = np.full((len(obs), len(keys)), np.nan)
    for i, o in enumerate(obs):
        for j, key in enumerate(keys):
            score = (o.measures.get(key) or {}).get("score")
            if score is not None:
                S[i, j] = score
    return S


def rescore_many(S, weights: Sequence[float]):
    """Scores with these weights, missing data spread over the others (health.scoring's
    rule); 50 where no weighted measure has data."""
    import numpy as np

    W = np.where(np.isnan(S), 0.0, np.asarray(weights, dtype=float))
    total = W.sum(axis=1)
    num = (np.nan_to_num(S) * W).sum(axis=1)
    return np.where(total > 0, num / np.where(total > 0, total, 1), 50.0)


def pooled_auc(S, labels, weights: Sequence[float]) -> float | None:
    return auc_fast(labels, 100 - rescore_many(S, weights))


def _integer_weights(raw: dict[str, float]) -> dict[str, int]:
    """Scale to integers summing to about TOTAL_WEIGHT, every kept measure at least 1."""
    total = sum(raw.values())
    if total <= 0:
        return {}
    return {k: max(1, round(TOTAL_WEIGHT * v / total)) for k, v in raw.items()}


def _measure_stats(S, labels, days, keys, current: dict[str, int]) -> list[MeasureStat]:
    import numpy as np

    stats = []
    distinct_days = sorted(set(days))
    day_index = {d: np.array([x == d for x in days]) for d in distinct_days}
    for j, key in enumerate(keys):
        has = ~np.isnan(S[:, j])
        coverage = float(has.mean()) if len(has) else 0.0
        value = auc_fast(labels[has], 100 - S[has, j]) if has.any() else None
        wins = [auc_fast(labels[has & day_index[d]], 100 - S[has & day_index[d], j]) for d in distinct_days]
        wins = [w for w in wins if w is not None]
        stability = sum(w > 0.5 for w in wins) / len(wins) if wins else None
        stat = MeasureStat(key=key, auc=value, coverage=coverage, stability=stability, current_weight=current[key])
        if coverage < MIN_COVERAGE or value is None:
            stat.dropped, stat.reason = True, "no_data"
        elif value <= 0.5 + EPSILON:
            stat.dropped, stat.reason = True, "no_signal"
        stats.append(stat)
    return stats


def _candidates(stats: Sequence[MeasureStat]) -> dict[str, dict[str, int]]:
    """The recipes: weights by effect (linear or squared) or today's, over the kept measures;
    or today's weights unchanged ("current": nothing dropped), when the history does not
    say that a change ranks churners better."""
    kept = [s for s in stats if not s.dropped]
    candidates = {
        "current": {s.key: s.current_weight for s in stats if s.current_weight},
        "effect": _integer_weights({s.key: s.auc - 0.5 for s in kept}),
        "effect_squared": _integer_weights({s.key: (s.auc - 0.5) ** 2 for s in kept}),
        "current_kept": _integer_weights({s.key: float(s.current_weight) for s in kept if s.current_weight}),
    }
    return {name: w for name, w in candidates.items() if w}


def _cross_checked(S, y, days, accounts, keys, current, folds: int = 3) -> dict[str, float]:
    """Each recipe's pooled AUC on accounts its measure statistics were not taken from
    (folds by account over the training rows alone; the test period is never looked at)."""
    import numpy as np

    groups = np.array([a % folds for a in accounts])
    results: dict[str, list[float]] = {}
    for k in range(folds):
        fit, check = groups != k, groups == k
        if y[fit].sum() == 0 or y[check].sum() == 0 or y[check].sum() == check.sum():
            continue
        stats = _measure_stats(S[fit], y[fit], [d for d, f in zip(days, fit, strict=True) if f], keys, current)
        for name, weights in _candidates(stats).items():
            value = pooled_auc(S[check], y[check], [weights.get(key, 0) for key in keys])
            if value is not None:
                results.setdefault(name, []).append(value)
    return {name: float(np.mean(v)) for name, v in results.items() if len(v) == folds}


def weights_suggest(*, obs: Sequence[Observation], horizon: int, current: dict[str, int]) -> dict:
    """Suggested weights for a scorecard whose measures weigh `current` today, from these
    observations (its snapshots). Returns {"split", "measures" (MeasureStat dicts, current
    order), "weights" ({key: weight} of the kept measures, {} when none separates churners),
    "recipe", "auc_before" / "auc_after" (held-out later days), "auc_train_before" /
    "auc_train_after", "n_train", "n_test", "churned_test", "reason"}."""
    import numpy as np

    result: dict = {
        "horizon_days": horizon,
        "split": None,
        "measures": [],
        "weights": {},
        "recipe": None,
        "auc_before": None,
        "auc_after": None,
        "reason": "",
    }
    keys = list(current)
    split = time_split((o.day for o in obs), horizon=horizon)
    if not keys:
        return {**result, "reason": "no_measures"}
    if split is None:
        return {**result, "reason": "short_history"}
    train, test = split.parts(obs)
    S_train, S_test = _score_matrix(train, keys), _score_matrix(test, keys)
    y_train = np.array([label(o, horizon) for o in train])
    y_test = np.array([label(o, horizon) for o in test])
    result.update(split=split, n_train=len(train), n_test=len(test), churned_test=int(y_test.sum()))
    stats = _measure_stats(S_train, y_train, [o.day for o in train], keys, current)
    result["measures"] = [asdict(s) for s in stats]
    if y_train.sum() == 0 or y_train.sum() == len(y_train):
        return {**result, "reason": "too_few_churned"}
    kept = [s for s in stats if not s.dropped]
    if not kept:
        return {**result, "reason": "no_signal"}
    candidates = _candidates(stats)
    vector = {name: [w.get(k, 0) for k in keys] for name, w in candidates.items()}
    train_auc = {name: pooled_auc(S_train, y_train, v) or 0.0 for name, v in vector.items()}
    checked = _cross_checked(S_train, y_train, [o.day for o in train], [o.account_id for o in train], keys, current)
    recipe = max(candidates, key=lambda name: (checked.get(name, train_auc[name]), train_auc[name]))
    weights = candidates[recipe]
    for s in stats:
        s.suggested_weight = weights.get(s.key, 0)
        s.dropped = s.key not in weights
        s.reason = s.reason if s.dropped else ""
    today_vector = [current[k] for k in keys]
    result.update(
        measures=[asdict(s) for s in stats],
        weights=weights,
        recipe=recipe,
        auc_train_before=pooled_auc(S_train, y_train, today_vector),
        auc_train_after=train_auc[recipe],
        auc_before=pooled_auc(S_test, y_test, today_vector),
        auc_after=pooled_auc(S_test, y_test, vector[recipe]),
    )
    if result["auc_after"] is None:
        result["reason"] = "too_few_churned"
    return result


def scorecard_suggestion(*, scorecard, as_of, horizon: int = SUGGEST_HORIZON) -> dict:
    """weights_suggest for a current scorecard, from the snapshots any of its versions
    scored (today's weights = this version's)."""
    from ..models import Scorecard
    from .observations import observations

    current = {m.measure_key: m.weight for m in scorecard.measures.all()}
    ids = list(Scorecard.objects.lineage(scorecard).values_list("id", flat=True))
    obs = observations(as_of=as_of, horizon=horizon, scorecard_ids=ids)
    return {**weights_suggest(obs=obs, horizon=horizon, current=current), "scorecard": scorecard}
