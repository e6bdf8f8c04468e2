"""The library of health measures. Health owns it; apps above register their own measures
(surveys: NPS and CSAT; onboarding: onboarding progress) in their AppConfig.ready(), so
health never imports them (DESIGN.md, floors).

A measure is set-based: `compute(as_of, account_ids)` returns each account's raw value as of
the end of day `as_of` (every window ends that day), for all accounts when `account_ids` is
None, in a few queries whatever the number of accounts. An account with no data is left out
of the dict (or maps to None): the scorecard shows "no data" and spreads its weight.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

ComputeFn = Callable[[date, Iterable[int] | None], dict[int, float | None]]


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


MEASURES: dict[str, Measure] = {}


def register_measure(measure: Measure) -> None:
    if measure.key in MEASURES and MEASURES[measure.key] is not measure:
        raise ValueError(f"Health measure {measure.key!r} is registered twice.")
    MEASURES[measure.key] = measure


def get_measure(key: str) -> Measure:
    return MEASURES[key]
