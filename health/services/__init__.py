"""Health writes. The recompute (health.recompute) and its public names are re-exported here,
so `from health.services import health_recompute` keeps working; the writes a CSM or an admin
makes live in this package:

- account_inputs: score overrides and CSM sentiment;
- scorecards: scorecard edits and deletion, the health settings;
- event_measures: the admin's event measures;
- versions: new weights as a new scorecard version (the backtest's suggestion applied).
"""

from ..recompute import (
    CHUNK_SIZE,
    REFRESH_DELAY_SECONDS,
    ChunkInputs,
    RecomputeResult,
    account_health_refresh,
    account_health_refresh_soon,
    backfill_days,
    chunk_inputs,
    health_backfill,
    health_chunk_recompute,
    health_current_update,
    health_parents_rollup,
    health_recompute,
    health_recompute_finish,
    health_scores_compute,
    plans_load,
    raw_values,
    score_rows,
    scorecard_default_ensure,
    snapshots_pg_write,
    snapshots_upsert,
    today,
)
from .account_inputs import csm_sentiment_record, health_override_clear, health_override_create
from .event_measures import event_measure_delete, event_measure_save
from .scorecards import health_settings_update, scorecard_delete, scorecard_save
from .versions import scorecard_suggestion_apply, scorecard_version_create

__all__ = [
    "CHUNK_SIZE",
    "REFRESH_DELAY_SECONDS",
    "ChunkInputs",
    "RecomputeResult",
    "account_health_refresh",
    "account_health_refresh_soon",
    "backfill_days",
    "chunk_inputs",
    "csm_sentiment_record",
    "event_measure_delete",
    "event_measure_save",
    "health_backfill",
    "health_chunk_recompute",
    "health_current_update",
    "health_override_clear",
    "health_override_create",
    "health_parents_rollup",
    "health_recompute",
    "health_recompute_finish",
    "health_scores_compute",
    "health_settings_update",
    "plans_load",
    "raw_values",
    "score_rows",
    "scorecard_default_ensure",
    "scorecard_delete",
    "scorecard_save",
    "scorecard_suggestion_apply",
    "scorecard_version_create",
    "snapshots_pg_write",
    "snapshots_upsert",
    "today",
]
