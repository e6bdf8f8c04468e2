"""Many days of snapshots in one pass: the history of the demo seed and of
`recompute_health --backfill` (health.recompute.health_backfill).

health_scores_compute scores one day: each measure runs its windowed query for that day and
every snapshot is a dict in Python. A history of D days that way reads every rollup row up
to 60 times (the windows slide one day at a time) and formats D x accounts snapshots one by
one. Here, per chunk of accounts, for all the days at once:

1. each measure's raw values come as a days x accounts array (NaN = no data): measures that
   offer `compute_days` (health.registry) read their rows once for the whole span; the others
   run `compute` once per day;
2. scoring is array arithmetic doing the same floating-point operations in the same order as
   health.scoring.combine (weights spread over the measures with data, contributions summed
   in the scorecard's order, rounded half to even), each distinct raw value scored once by
   PlanMeasure.score; overrides and bands as in score_rows;
3. each snapshot's JSON is joined from pieces formatted once per (measure, value, weight sum),
   in the order combine builds it, and the chunk is written with one COPY, day by day (a
   day's rows together, as the nightly writes them: most readers read one day).

The snapshots equal the per-day ones (tests/health/history/test_compute.py compares every field but
computed_at). Parents' roll-up and, for today, the Account columns follow as in
health_recompute.

Modules: inputs (1), scoring (2), store (3, through health.sql), compute (the chunks, the
COPY overlapped with the next chunk's scoring), finish (parents, Account columns).
"""

from .compute import health_history_compute
from .finish import history_finish, parents_rollup_days
from .inputs import overrides_days, raw_values_days
from .scoring import Block, score_days
from .store import copy_lines, snapshots_days_store

__all__ = [
    "Block",
    "copy_lines",
    "health_history_compute",
    "history_finish",
    "overrides_days",
    "parents_rollup_days",
    "raw_values_days",
    "score_days",
    "snapshots_days_store",
]
