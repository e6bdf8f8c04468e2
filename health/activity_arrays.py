"""The calibrated and event quantities of health.measures_activity as array arithmetic, for
one day (a chunk of the nightly, one account on demand) and for many (a history,
health.measures_activity_days): one code path, so a day's values are the same either way.

`fd` ("figures"): days x accounts int64 arrays `history` (days of history, capped; 0 = not a
customer yet), `e30` / `eprior` (events in the last 30 days / the 30 before), `users`
(active contacts, else paid seats, else 0), `segments` (one per account) and `named`
({event name: (count in 30 days, days it occurred on, count in the 30 before)}). Results are
float64, NaN = no data; every rounding is Python's round() of each distinct value
(health.measures_days.rounded).
"""

from collections.abc import Iterable

import numpy as np

from .measures_days import rounded
from .models import EventMeasure, EventMeasureKind
from .sql.activity import RECENT_DAYS

__all__ = ["ALL", "BASELINE_MIN_DAYS", "TREND_LIMIT", "quantity", "ranked_rows", "segment_groups"]

BASELINE_MIN_DAYS = 14
TREND_LIMIT = 100.0
ALL = "\x00all"


def _window_days(fd: dict) -> np.ndarray:
    """Days of the last 30 the account existed on (at least 1)."""
    return np.clip(fd["history"], 1, RECENT_DAYS).astype(np.float64)


def _prior_days(fd: dict) -> np.ndarray:
    """Days of the 30 before the last 30 the account existed on."""
    return np.clip(fd["history"] - RECENT_DAYS, 0, RECENT_DAYS).astype(np.float64)


def _change(now: np.ndarray, before_total: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """Change in percent of `now` against the daily rate before (NaN with under
    BASELINE_MIN_DAYS of it, or nothing before nor now), capped at +-TREND_LIMIT, round(x, 1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        before = np.where(prior > 0, before_total / prior, 0.0)
        change = np.clip(100.0 * (now - before) / before, -TREND_LIMIT, TREND_LIMIT)
    out = np.where(before > 0, change, np.where(now > 0, TREND_LIMIT, np.nan))
    out[prior < BASELINE_MIN_DAYS] = np.nan
    return rounded(out, 1)


def quantity(name: str, fd: dict, event_measures: Iterable[EventMeasure] = ()) -> np.ndarray:
    """A quantity before any percentile: activity_level (events per day of the last 30, per
    day of life when younger), activity_per_user, activity_baseline, or an EventMeasure's
    (by measure key, among `event_measures`)."""
    alive = fd["history"] > 0
    window = _window_days(fd)
    if name == "activity_level":
        return np.where(alive, fd["e30"] / window, np.nan)
    if name == "activity_per_user":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(alive & (fd["users"] > 0), fd["e30"] / fd["users"], np.nan)
    if name == "activity_baseline":
        return np.where(alive, _change(fd["e30"] / window, fd["eprior"].astype(np.float64), _prior_days(fd)), np.nan)
    em = {e.measure_key: e for e in event_measures}[name]
    zeros = np.zeros_like(fd["e30"])
    none = (zeros, zeros, zeros)
    n30 = sum((fd["named"].get(x, none)[0] for x in em.event_names), zeros)
    if em.kind == EventMeasureKind.COUNT:
        # a 30-day count, scaled up for the young
        return np.where(alive, rounded(n30 * RECENT_DAYS / window, 2), np.nan)
    if em.kind == EventMeasureKind.RATE_PER_USER:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(alive & (fd["users"] > 0), rounded(n30 / fd["users"], 3), np.nan)
    if em.kind == EventMeasureKind.DISTINCT_DAYS:
        # Days with any of the events (the most frequent one's days when several: rollups keep
        # each name's days, not their union).
        days = np.max([fd["named"].get(x, none)[1] for x in em.event_names], axis=0)
        return np.where(alive, days.astype(np.float64), np.nan)
    prior_total = sum((fd["named"].get(x, none)[2] for x in em.event_names), zeros)
    return np.where(alive, _change(n30 / window, prior_total.astype(np.float64), _prior_days(fd)), np.nan)


def segment_groups(segments: np.ndarray, ranked: dict) -> list[tuple[str, np.ndarray]]:
    """(population group, mask of the accounts ranked against it): each account's segment
    when the population has it, else every account's (ALL)."""
    codes, inverse = np.unique(segments.astype(str), return_inverse=True)
    inverse = inverse.reshape(-1)
    own = np.array([c in ranked and c != ALL for c in codes.tolist()], dtype=bool)
    groups = [(ALL, ~own[inverse])] if len(codes) else []
    groups += [(c, inverse == i) for i, c in enumerate(codes.tolist()) if own[i]]
    return groups


def ranked_rows(values: np.ndarray, segments: np.ndarray, rankings: list[dict]) -> np.ndarray:
    """Each value's percentile rank (0-100) in its segment's population of its day
    (`rankings`, one {group: ascending values} per row of `values`): the share below it plus
    half the share equal to it, round(x, 1); 50 against an empty population; NaN stays NaN."""
    out = np.full(values.shape, np.nan)
    for i, ranked in enumerate(rankings):
        row = values[i]
        every = ranked.get(ALL)
        known = ~np.isnan(row)
        for group, members in segment_groups(segments, ranked):
            mask = members & known
            if not mask.any():
                continue
            pool = ranked.get(group, every)
            if pool is None or not len(pool):
                out[i, mask] = 50.0
                continue
            v = row[mask]
            below = np.searchsorted(pool, v, side="left")
            upto = np.searchsorted(pool, v, side="right")
            out[i, mask] = np.round(100.0 * (below + upto) / (2 * len(pool)), 1)
    return out
