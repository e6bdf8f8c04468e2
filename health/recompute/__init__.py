"""The one set-based recompute (used by the command, the nightly Celery group, and the
on-demand refresh of one account).

For a day `as_of` and a list of accounts (or all, in chunks):
1. each measure used by a scorecard computes raw values for the whole chunk in one or two
   queries (usage from the daily rollups, never the raw events) (inputs);
2. each account gets its scorecard, measure scores, contributions, score and band in
   memory, then an active CSM override replaces the score (rows);
3. the snapshots are upserted (unique account + day: twice = same rows) (compute, through
   health.sql);
4. parents get their children's ARR-weighted score (rollup);
5. when `as_of` is today, the Account columns are refreshed and band changes announced
   (current: health.signals.band_changed + the "health.band_changed" webhook).

run holds the runs built from these steps, backfill a history's, refresh the debounced
refresh of one account; plans the scorecards they score with.
"""

from ..sql import snapshots_pg_write, snapshots_upsert
from .backfill import backfill_days, health_backfill
from .compute import health_scores_compute
from .current import health_current_update
from .inputs import CHUNK_SIZE, ChunkInputs, account_chunks, account_ranges, chunk_inputs, moment, raw_values, today
from .plans import plans_load, plans_or_default, scorecard_default_ensure, scorecard_default_events_pick
from .refresh import (
    EVENTS_REFRESH_DELAY_SECONDS,
    REFRESH_DELAY_SECONDS,
    account_health_refresh,
    account_health_refresh_soon,
    accounts_health_refresh_gathered,
    events_refresh_key,
    refresh_key,
)
from .rollup import health_parents_rollup
from .rows import score_rows
from .run import (
    RecomputeResult,
    health_chunk_recompute,
    health_day_missing,
    health_nightly_finish,
    health_recompute,
    health_recompute_finish,
)

__all__ = [
    "CHUNK_SIZE",
    "EVENTS_REFRESH_DELAY_SECONDS",
    "REFRESH_DELAY_SECONDS",
    "ChunkInputs",
    "RecomputeResult",
    "account_chunks",
    "account_health_refresh",
    "account_health_refresh_soon",
    "accounts_health_refresh_gathered",
    "account_ranges",
    "backfill_days",
    "chunk_inputs",
    "events_refresh_key",
    "health_backfill",
    "health_chunk_recompute",
    "health_day_missing",
    "health_nightly_finish",
    "health_current_update",
    "health_parents_rollup",
    "health_recompute",
    "health_recompute_finish",
    "health_scores_compute",
    "moment",
    "plans_load",
    "plans_or_default",
    "raw_values",
    "refresh_key",
    "score_rows",
    "scorecard_default_ensure",
    "scorecard_default_events_pick",
    "snapshots_pg_write",
    "snapshots_upsert",
    "today",
]
