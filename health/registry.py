"""The library of health measures. Health owns it; apps above register their own measures
(surveys: NPS and CSAT; onboarding: onboarding progress) in their AppConfig.ready(), so
health never imports them (DESIGN.md, floors).

A measure is set-based: `compute(as_of, account_ids)` returns each account's raw value as of
the end of day `as_of` (every window ends that day), for all accounts when `account_ids` is
None, in a few queries whatever the number of accounts. An account with no data is left out
of the dict (or maps to None): the scorecard shows "no data" and spreads its weight.

Measures that share a query (NPS and CSAT, the usage measures, the subscription measures)
use `run_cached`: within one recompute run the query runs once and each measure picks its
figures from the result.

A measure may also offer `compute_days(days, account_ids)`: the raw values of many days at
once (a history, health.history), as a numpy array of len(days) x len(account_ids) floats
(NaN = no data), equal to what `compute` gives day by day. `days` ascend, `account_ids`
ascend. Without it a history calls `compute` once per day.
"""

from collections.abc import Callable, Hashable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from typing import Any

ComputeFn = Callable[[date, Iterable[int] | None], dict[int, float | None]]
ComputeDaysFn = Callable[[Sequence[date], Sequence[int]], Any]  # -> numpy array, days x accounts


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    compute: ComputeFn
    unit: str = ""
    description: str = ""
    higher_is_better: bool = True
    # Default raw-value thresholds mapped to scores, e.g. ((0, 0), (10, 50), (20, 100)):
    # piecewise-linear between points, clamped at the ends.
    default_points: tuple[tuple[float, float], ...] = field(default_factory=tuple)
    # Many days at once (see the module docstring); None = `compute` once per day.
    compute_days: ComputeDaysFn | None = None


MEASURES: dict[str, Measure] = {}


def register_measure(*measures: Measure) -> None:
    """Add measures to the library (an app calls it in its AppConfig.ready())."""
    for measure in measures:
        if measure.key in MEASURES and MEASURES[measure.key] is not measure:
            raise ValueError(f"Health measure {measure.key!r} is registered twice.")
        MEASURES[measure.key] = measure


def get_measure(key: str) -> Measure:
    return MEASURES[key]


# Measures defined as data (health.models.EventMeasure; a numeric custom field): a source
# loads them under its key prefix ("event:"), and measures_refresh() brings the library in
# line with the database (added, changed, removed) before a run loads its scorecards.
_SOURCES: dict[str, Callable[[], Iterable[Measure]]] = {}


def register_measure_source(prefix: str, load: Callable[[], Iterable[Measure]]) -> None:
    """Measures loaded from data, keyed `<prefix>...` (an app calls it in ready())."""
    if not prefix.endswith(":"):
        raise ValueError(f"A measure source prefix ends with ':', not {prefix!r}.")
    _SOURCES[prefix] = load


def measures_refresh() -> None:
    """Reload every source's measures (one query each) into MEASURES."""
    for prefix, load in _SOURCES.items():
        loaded = {m.key: m for m in load()}
        for key in [k for k in MEASURES if k.startswith(prefix) and k not in loaded]:
            del MEASURES[key]
        for key, measure in loaded.items():
            if not key.startswith(prefix):
                raise ValueError(f"Measure {key!r} of source {prefix!r} must start with it.")
            MEASURES[key] = measure


# One recompute run (health.services.raw_values) opens a cache so measures sharing a query
# read it once; outside a run there is no cache and every call computes.
_RUN_CACHE: ContextVar[dict | None] = ContextVar("health_run_cache", default=None)


def run_cached(key: Hashable, compute: Callable[[], Any]) -> Any:
    """`compute()` once per key within the current recompute run (every call outside one).
    The key must name everything the result depends on (as_of, account ids...)."""
    cache = _RUN_CACHE.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def measures_keys() -> list[str]:
    return list(MEASURES)


def measure_replace(measure: Measure) -> None:
    """Put a measure defined by data (health.custom_measures) in the library, replacing an
    earlier version of it; code-defined measures use `register_measure`."""
    MEASURES[measure.key] = measure


def measure_remove(key: str) -> None:
    MEASURES.pop(key, None)
