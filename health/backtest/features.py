"""The learned model's features, read from one snapshot's stored measures (its `measures`
JSON: each measure's raw value and 0-100 score as of the snapshot's day, nothing later).

Per measure key three features: `<key>` (its 0-100 score, 50 when it has no data),
`<key>__missing` (1 when it has no data) and `<key>__log` (the raw value on a log scale:
fixed thresholds saturate, the raw value keeps ranking accounts above and below them).
The event rates joined by rates.py (`rate:<event>`, a count with no score) get only
`<key>__log`, 0 when the account had no such event in the window."""

import math
from collections.abc import Sequence

from .rates import is_rate

__all__ = ["feature_keys", "feature_matrix", "feature_names", "feature_row", "measure_of_feature"]

SUFFIXES = ("", "__missing", "__log")


def feature_keys(measures_list: Sequence[dict]) -> list[str]:
    """The measure keys seen in these snapshots (keys starting with "_" are notes, not measures)."""
    return sorted({k for m in measures_list for k in m if not k.startswith("_")})


def feature_names(keys: Sequence[str]) -> list[str]:
    names = []
    for k in keys:
        names.extend([f"{k}__log"] if is_rate(k) else [f"{k}{suffix}" for suffix in SUFFIXES])
    return names


def measure_of_feature(name: str) -> str:
    return name.removesuffix("__missing").removesuffix("__log")


def _signed_log(value) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or math.isnan(value):
        return 0.0
    return math.copysign(math.log1p(abs(value)), value)


def feature_row(names: Sequence[str], measures: dict) -> list[float]:
    """One snapshot's features, in the order of `names` (a stored model's features)."""
    row = []
    for name in names:
        key = measure_of_feature(name)
        d = measures.get(key) or {}
        score = d.get("score")
        if is_rate(key):
            row.append(_signed_log(d.get("value")))
        elif name.endswith("__missing"):
            row.append(0.0 if score is not None else 1.0)
        elif name.endswith("__log"):
            row.append(_signed_log(d.get("value")) if score is not None else 0.0)
        else:
            row.append(50.0 if score is None else float(score))
    return row


def feature_matrix(names: Sequence[str], measures_list: Sequence[dict]):
    """Every snapshot's features as one numpy array (rows x features), the same values as
    feature_row: each measure looked up once per snapshot, its columns filled by kind."""
    import numpy as np

    X = np.zeros((len(measures_list), len(names)))
    if not measures_list:
        return X
    columns: dict[str, list[tuple[int, str]]] = {}
    for j, name in enumerate(names):
        kind = "missing" if name.endswith("__missing") else "log" if name.endswith("__log") else "score"
        columns.setdefault(measure_of_feature(name), []).append((j, kind))
    for key, cols in columns.items():
        scores = np.full(len(measures_list), np.nan)
        logs = np.zeros(len(measures_list))
        rate = is_rate(key)
        for i, m in enumerate(measures_list):
            d = m.get(key)
            if d:
                score = d.get("score")
                if rate:
                    logs[i] = _signed_log(d.get("value"))
                elif score is not None:
                    scores[i] = score
                    logs[i] = _signed_log(d.get("value"))
        missing = np.isnan(scores)
        for j, kind in cols:
            if kind == "missing":
                X[:, j] = missing
            elif kind == "log":
                X[:, j] = logs
            else:
                X[:, j] = np.where(missing, 50.0, scores)
    return X
