"""The calibrated and event measures of health.measures_activity over many days at once
(`Measure.compute_days`, for a history: health.history): the usage sums of
health.measures_days' one read of the rollups, the event rows of the span, and each day's
population ranked in numpy. Every value equals what `compute` gives for that day
(tests/health/history/test_activity_days.py); a day's population is computed here for both
paths (one code path, the same values).

Arrays are days x accounts (ascending ids), float64, NaN = no data.
"""

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
from django.core.cache import cache as django_cache

from accounts.models import Account

from .measures_activity import (
    ALL,
    BASELINE_MIN_DAYS,
    HISTORY_CAP,
    MIN_SEGMENT,
    POPULATION_TTL,
    SAMPLE_SIZE,
    TREND_LIMIT,
    _event_measures,
    _names,
    _population_key,
    _quantities,
    _thin,
    population,
)
from .measures_days import _cumulative, _grid, _subscriptions_days, _usage_days, columns, ids_key, ordinals, rounded
from .models import EventMeasureKind
from .registry import run_cached
from .sql.activity import RECENT_DAYS, EveryKth, event_rows_days, narrow, paid_seats_and_start

__all__ = [
    "figures_days",
    "history_days_days",
    "percentile_days",
    "plain_days",
    "populations_days",
    "populations_ensure",
]


def _sample_ids() -> list[int]:
    n = Account.objects.count()
    k = max(1, -(-n // SAMPLE_SIZE))
    ids = narrow(Account.objects.order_by("id"), EveryKth(k), field="id").values_list("id", flat=True)
    return list(ids)


def populations_days(days: Sequence[date], quantities: dict) -> list[dict]:
    ids = _sample_ids()
    fd = figures_days(days, ids) if ids else None
    groups: dict[str, np.ndarray] = {}
    if fd is not None:
        segments = fd["segments"]
        groups[ALL] = np.ones(len(ids), dtype=bool)
        for segment in sorted(set(segments.tolist())):
            mask = segments == segment
            if mask.sum() >= MIN_SEGMENT:
                groups[segment] = mask
    out = [{} for _ in days]
    for name in quantities:
        values = _quantity_days(name, fd) if fd is not None else None
        for i in range(len(days)):
            out[i][name] = {}
            if values is None:
                continue
            row = values[i]
            for segment, mask in groups.items():
                v = row[mask]
                out[i][name][segment] = _thin(np.sort(v[~np.isnan(v)]))
    return out


def figures_days(days: Sequence[date], account_ids: Sequence[int]) -> dict:
    """The figures of every day (days x accounts arrays, the accounts ascending) from one
    read of the rollups (health.measures_days' usage sums) and the event rows: what
    `figures` gives day by day."""
    names = _names()
    key = ("activity_days", tuple(days), ids_key(account_ids), names)
    return run_cached(key, lambda: _figures_days(days, account_ids, names))


def _figures_days(days: Sequence[date], account_ids: Sequence[int], names: tuple) -> dict:
    event_names, prior_names = names
    n, n_days = len(account_ids), len(days)
    usage = _usage_days(days, account_ids)
    seats = _subscriptions_days(days, account_ids)["seats"]
    meta = {
        a: (created.date(), segment)
        for a, created, segment in narrow(Account.objects.all(), account_ids, field="id")
        .values_list("id", "created_at", "segment")
        .order_by()
    }
    firsts = {a: first for a, (_, first) in paid_seats_and_start(as_of=days[-1], account_ids=account_ids).items()}
    start = np.zeros(n, dtype=np.int64)
    segments = np.empty(n, dtype=object)
    for j, a in enumerate(account_ids):
        created, segment = meta.get(a, (date.max, ""))
        first = firsts.get(a)
        start[j] = min(created, first).toordinal() if first is not None else created.toordinal()
        segments[j] = segment
    ords = ordinals(days)[:, None]
    history = np.clip(ords - start[None, :] + 1, 0, HISTORY_CAP)
    contacts = np.where(usage["present"] > 0, usage["contacts"], 0)
    users = np.where(contacts > 0, contacts, seats)
    out = {
        "history": history,
        "e30": usage["events"],
        "eprior": usage["prev"],
        "users": users,
        "segments": segments,
        "named": {},
    }
    if event_names:
        base = days[0] - timedelta(days=2 * RECENT_DAYS - 1)
        width = (days[-1] - base).days + 1
        td = np.array([(d - base).days for d in days], dtype=np.int64)
        rows = event_rows_days(account_ids=account_ids, names=event_names, base=base, last=days[-1])
        cols, ok = columns(account_ids, [r[0] for r in rows])
        t = np.array([(r[1] - base).days for r in rows], dtype=np.int64)
        for i, name in enumerate(event_names):
            counts = np.array([-1 if r[2 + i] is None else r[2 + i] for r in rows], dtype=np.int64)
            has = ok & (counts >= 0)
            sums = _cumulative(_grid(cols[has], t[has], n, width, weights=counts[has].astype(np.float64)))
            present = _cumulative(_grid(cols[has], t[has], n, width))
            out["named"][name] = (
                (sums[:, td + 1] - sums[:, td - 29]).T,
                (present[:, td + 1] - present[:, td - 29]).T,
                (sums[:, td - 29] - sums[:, td - 59]).T if name in prior_names else np.zeros((n_days, n), np.int64),
            )
    return out


def _window_days(fd: dict) -> np.ndarray:
    return np.clip(fd["history"], 1, RECENT_DAYS).astype(np.float64)


def _prior_days_arr(fd: dict) -> np.ndarray:
    return np.clip(fd["history"] - RECENT_DAYS, 0, RECENT_DAYS).astype(np.float64)


def _change_days(now: np.ndarray, before_total: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """_change, element-wise (NaN = None), rounded as round(x, 1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        before = np.where(prior > 0, before_total / prior, 0.0)
        change = np.clip(100.0 * (now - before) / before, -TREND_LIMIT, TREND_LIMIT)
    out = np.where(before > 0, change, np.where(now > 0, TREND_LIMIT, np.nan))
    out[prior < BASELINE_MIN_DAYS] = np.nan
    return rounded(out, 1)


def _quantity_days(name: str, fd: dict) -> np.ndarray:
    """A ranked quantity (or an uncalibrated one) over days x accounts, NaN = None."""
    alive = fd["history"] > 0
    window = _window_days(fd)
    if name == "activity_level":
        return np.where(alive, fd["e30"] / window, np.nan)
    if name == "activity_per_user":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(alive & (fd["users"] > 0), fd["e30"] / fd["users"], np.nan)
    if name == "activity_baseline":
        return np.where(
            alive, _change_days(fd["e30"] / window, fd["eprior"].astype(np.float64), _prior_days_arr(fd)), np.nan
        )
    em = {e.measure_key: e for e in _event_measures()}[name]
    zeros = np.zeros_like(fd["e30"])
    n30 = sum((fd["named"].get(x, (zeros, zeros, zeros))[0] for x in em.event_names), zeros)
    if em.kind == EventMeasureKind.COUNT:
        return np.where(alive, rounded(n30 * RECENT_DAYS / window, 2), np.nan)
    if em.kind == EventMeasureKind.RATE_PER_USER:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(alive & (fd["users"] > 0), rounded(n30 / fd["users"], 3), np.nan)
    if em.kind == EventMeasureKind.DISTINCT_DAYS:
        days_ = np.max([fd["named"].get(x, (zeros, zeros, zeros))[1] for x in em.event_names], axis=0)
        return np.where(alive, days_.astype(np.float64), np.nan)
    prior_total = sum((fd["named"].get(x, (zeros, zeros, zeros))[2] for x in em.event_names), zeros)
    return np.where(alive, _change_days(n30 / window, prior_total.astype(np.float64), _prior_days_arr(fd)), np.nan)


def populations_ensure(days: Sequence[date]) -> None:
    """Compute and cache the populations of the days not cached yet, in one pass."""
    missing = []
    for day in days:
        key, quantities = _population_key(day)
        if django_cache.get(key) is None:
            missing.append((day, key))
    if not missing:
        return
    computed = populations_days([d for d, _ in missing], _quantities())
    for (_, key), pop in zip(missing, computed, strict=True):
        django_cache.set(key, pop, POPULATION_TTL)


def _ranked_days(name: str, days: Sequence[date], account_ids: Sequence[int]) -> np.ndarray:
    fd = figures_days(days, account_ids)
    values = _quantity_days(name, fd)
    out = np.full(values.shape, np.nan)
    run_cached(("populations", tuple(days)), lambda: populations_ensure(days))
    for i, day in enumerate(days):
        ranked = population(day).get(name, {})
        every = ranked.get(ALL)
        row = values[i]
        for segment in set(fd["segments"].tolist()) | {ALL}:
            if segment == ALL:
                mask = ~np.isin(fd["segments"], [s for s in ranked if s != ALL])
            else:
                if segment not in ranked:
                    continue
                mask = fd["segments"] == segment
            mask = mask & ~np.isnan(row)
            if not mask.any():
                continue
            pool = ranked.get(segment, every)
            if pool is None or not len(pool):
                out[i, mask] = 50.0
                continue
            v = row[mask]
            below = np.searchsorted(pool, v, side="left")
            upto = np.searchsorted(pool, v, side="right")
            out[i, mask] = np.round(100.0 * (below + upto) / (2 * len(pool)), 1)
    return out


def plain_days(name: str, days: Sequence[date], account_ids: Sequence[int]) -> np.ndarray:
    return _quantity_days(name, figures_days(days, account_ids))


def percentile_days(name: str, days: Sequence[date], account_ids: Sequence[int]) -> np.ndarray:
    return _ranked_days(name, days, account_ids)


def history_days_days(days: Sequence[date], account_ids: Sequence[int]) -> np.ndarray:
    history = figures_days(days, account_ids)["history"].astype(np.float64)
    return np.where(history > 0, history, np.nan)
