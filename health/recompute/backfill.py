"""A history of snapshots (`recompute_health --backfill`, the demo seed): the days it
scores, and the run (scored in one pass by health.history)."""

from datetime import date, timedelta

from .. import sql
from ..models import Scorecard
from .inputs import today
from .plans import plans_load, scorecard_default_ensure

__all__ = ["backfill_days", "health_backfill"]


def backfill_days(*, days: int, end: date, daily: int | None = None) -> list[date]:
    """The days a backfill of `days` days ending `end` scores, oldest first: every day, or
    with `daily`, every day of the last `daily` days (the 7- and 30-day changes) and before
    that every 7th day counted back from `end` (the grid the backtest's observations and the
    reports' health trend read), always including the first day so the span stays `days`."""
    offsets = range(days - 1, -1, -1)
    if daily is not None:
        offsets = [o for o in offsets if o <= daily or o % 7 == 0 or o == days - 1]
    return [end - timedelta(days=o) for o in offsets]


def health_backfill(*, days: int, end: date | None = None, log=None, daily: int | None = None) -> int:
    """Snapshots for each of the `days` days ending `end` (today), oldest first (with
    `daily`: only the days backfill_days picks): all days in one pass per chunk of accounts
    (health.history, the same snapshots as health_scores_compute day by day), then each
    day's parents roll-up and, for today, what health_recompute does after scoring."""
    from ..history import health_history_compute, history_finish

    end = end or today()
    if not Scorecard.objects.exists():
        scorecard_default_ensure()
    grid = backfill_days(days=days, end=end, daily=daily)
    family: dict = {}
    scored = health_history_compute(days=grid, plans=plans_load(), family=family)
    sql.snapshots_analyze()
    history_finish(days=grid, scored=scored, family=family)
    if log:
        log(f"{grid[0]} to {grid[-1]}: {len(grid)} days scored")
    return sum(len(ids) for ids in scored.values())
