"""Pure scoring arithmetic (no database): thresholds -> 0-100, weights with missing data
spread over the others, and which scorecard applies to an account."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .models import band_for


def points_score(points: Sequence[Sequence[float]], raw: float) -> float:
    """Map a raw value to 0-100 through threshold points [[raw, score], ...]: linear
    between neighbouring points, flat beyond the first and last."""
    pts = sorted((float(x), float(y)) for x, y in points)
    if not pts:
        raise ValueError("a measure needs at least one threshold point")
    return _interpolate(pts, raw)


def _interpolate(pts: Sequence[tuple[float, float]], raw: float) -> float:
    """points_score on points already sorted by raw value (the hot path)."""
    if raw <= pts[0][0]:
        return max(0.0, min(100.0, pts[0][1]))
    for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
        if raw <= x1:
            y = y0 if x1 == x0 else y0 + (y1 - y0) * (raw - x0) / (x1 - x0)
            return max(0.0, min(100.0, y))
    return max(0.0, min(100.0, pts[-1][1]))


@dataclass(frozen=True)
class PlanMeasure:
    """A scorecard measure loaded for a run; `points` sorted by raw value (at least one)."""

    key: str
    weight: int
    points: tuple[tuple[float, float], ...]

    def __post_init__(self):
        points = tuple(sorted((float(x), float(y)) for x, y in self.points))
        if not points:
            raise ValueError(f"measure {self.key!r} needs at least one threshold point")
        object.__setattr__(self, "points", points)
        # raw value -> (score, score rounded for display): raw values repeat a lot across
        # accounts (days, counts, percentages to 0.1), so a run interpolates each one once.
        object.__setattr__(self, "_scores", {})

    def score(self, raw: float) -> tuple[float, float]:
        cached = self._scores.get(raw)
        if cached is None:
            s = _interpolate(self.points, raw)
            cached = self._scores[raw] = (s, round(s, 1))
        return cached


@dataclass(frozen=True)
class Plan:
    """A scorecard loaded for a run."""

    id: int
    name: str
    tier: str
    segment: str
    is_default: bool
    red_below: int
    green_from: int
    measures: tuple[PlanMeasure, ...] = field(default_factory=tuple)

    def band(self, score: float | None) -> str:
        return band_for(score, self.red_below, self.green_from)


def combine(measures: Iterable[PlanMeasure], raw: dict[str, float | None]) -> tuple[int | None, dict]:
    """Score one account. `raw` maps measure key -> raw value (None/missing = no data).
    Returns (score or None when no measure has data, details per measure)."""
    scored: list[tuple[str, int, float, float, float]] = []
    details: dict[str, dict] = {}
    total_weight = 0
    get = raw.get
    for m in measures:
        value = get(m.key)
        if value is None:
            details[m.key] = {"value": None, "score": None, "weight": m.weight, "contribution": 0.0}
            continue
        s, shown = m.score(value)
        scored.append((m.key, m.weight, value, s, shown))
        total_weight += m.weight
    if not total_weight:
        for key, weight, value, _, shown in scored:  # only zero weights have data
            details[key] = {"value": value, "score": shown, "weight": weight, "contribution": 0.0}
        return None, details
    total = 0.0
    for key, weight, value, s, shown in scored:
        contribution = weight * s / total_weight
        total += contribution
        details[key] = {"value": value, "score": shown, "weight": weight, "contribution": round(contribution, 2)}
    return int(round(total)), details


def rescore(details: dict, weights: dict[str, float]) -> float | None:
    """A stored snapshot's score with other weights (backtest what-if): the stored measure
    scores, reweighted, missing data spread as usual."""
    num = den = 0.0
    for key, d in details.items():
        s = d.get("score")
        w = weights.get(key, d.get("weight", 0))
        if s is None or not w:
            continue
        num += w * s
        den += w
    return num / den if den else None


def pick_plan(plans: Sequence[Plan], tier: str, segment: str) -> Plan | None:
    """Most specific scorecard: tier + segment, then segment, then tier, then the default."""
    best, best_rank = None, -1
    for plan in plans:
        if plan.is_default:
            rank = 0
        elif plan.tier and plan.segment:
            rank = 3 if (plan.tier == tier and plan.segment == segment) else -1
        elif plan.segment:
            rank = 2 if plan.segment == segment else -1
        elif plan.tier:
            rank = 1 if plan.tier == tier else -1
        else:
            rank = -1
        if rank > best_rank:
            best, best_rank = plan, rank
    return best
