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

from .activity_arrays import quantity, ranked_rows
from .measures_activity import (
    HISTORY_CAP,
    POPULATION_TTL,
    SAMPLE_SIZE,
    _event_measures,
    _names,
    _population_key,
    _quantities,
    population,
    population_of,
)
from .measures_days import _cumulative, _grid, _subscriptions_days, _usage_days, columns, ids_key, ordinals
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


def populations_days(days: Sequence[date], quantities: list[str]) -> list[dict]:
    ids = _sample_ids()
    if not ids:
        return [{name: {} for name in quantities} for _ in days]
    return population_of(figures_days(days, ids), quantities)


def figures_days(days: Sequence[date], account_ids: Sequence[int]) -> dict:
    """The figures of every day (days x accounts arrays, the accounts ascending) from one
    read of the rollups (health.measures_days' usage sums) and the event rows: what
    `figures` gives day by day."""
    names = _names()
    key = ("activity_days", tuple(days), ids_key(account_ids), names)
    return run_cached(key, lambda: _figures_days(days, account_ids, names))


def _figures_days(days: Sequence[date], account_ids: Sequence[int], names: tuple) -> dict:
    event_names, _, prior_names = names
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
    run_cached(("populations", tuple(days)), lambda: populations_ensure(days))
    values = quantity(name, fd, _event_measures())
    return ranked_rows(values, fd["segments"], [population(day).get(name, {}) for day in days])


def plain_days(name: str, days: Sequence[date], account_ids: Sequence[int]) -> np.ndarray:
    return quantity(name, figures_days(days, account_ids), _event_measures())


def percentile_days(name: str, days: Sequence[date], account_ids: Sequence[int]) -> np.ndarray:
    return _ranked_days(name, days, account_ids)


def history_days_days(days: Sequence[date], account_ids: Sequence[int]) -> np.ndarray:
    history = figures_days(days, account_ids)["history"].astype(np.float64)
    return np.where(history > 0, history, np.nan)
