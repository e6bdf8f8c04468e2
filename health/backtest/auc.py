"""ROC AUC by ranks and the ROC curve: pure arithmetic, no database."""

from collections.abc import Sequence

__all__ = ["auc", "auc_fast", "roc_curve"]


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


def auc_fast(labels, risks) -> float | None:
    """`auc` on numpy arrays (average ranks for ties, one sort): for the many AUCs the
    suggestions and the model's evaluation take over tens of thousands of rows."""
    import numpy as np

    y = np.asarray(labels, dtype=bool)
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    if not n_pos or not n_neg:
        return None
    values, inverse, counts = np.unique(np.asarray(risks, dtype=float), return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    ranks = (ends - (counts - 1) / 2)[inverse]  # the average 1-based rank of each tie group
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))
