"""Writes of the renewals app (opportunities and forecast half): opportunities, the pipeline,
the renewal sweep and the forecast's track record."""

from .opportunities import (
    opportunity_create,
    opportunity_move,
    opportunity_step,
    opportunity_update,
    opportunity_upsert,
)
from .pipeline import pipeline_stage_delete, pipeline_stage_save
from .sweep import SweepResult, renewals_sweep
from .track_record import forecast_track_record_refresh

__all__ = [
    "SweepResult",
    "forecast_track_record_refresh",
    "opportunity_create",
    "opportunity_move",
    "opportunity_step",
    "opportunity_update",
    "opportunity_upsert",
    "pipeline_stage_delete",
    "pipeline_stage_save",
    "renewals_sweep",
]
