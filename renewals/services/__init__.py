"""Writes of the renewals app: opportunities, the pipeline, the renewal sweep, the forecast's
track record, risks and churn / downgrade reasons."""

from .opportunities import (
    opportunities_create_many,
    opportunity_create,
    opportunity_move,
    opportunity_step,
    opportunity_update,
    opportunity_upsert,
)
from .pipeline import pipeline_stage_delete, pipeline_stage_save
from .reasons import (
    change_key,
    churn_reason_record,
    reason_code_save,
    reason_prompt_answer,
    reason_prompt_open,
    subscription_loss_record,
)
from .risks import risk_close, risk_open, risk_task_link, risk_update, risks_open_for_accounts
from .sweep import SweepResult, renewals_sweep
from .track_record import forecast_track_record_refresh

__all__ = [
    "change_key",
    "churn_reason_record",
    "forecast_track_record_refresh",
    "opportunities_create_many",
    "opportunity_create",
    "opportunity_move",
    "opportunity_step",
    "opportunity_update",
    "opportunity_upsert",
    "pipeline_stage_delete",
    "pipeline_stage_save",
    "reason_code_save",
    "reason_prompt_answer",
    "reason_prompt_open",
    "renewals_sweep",
    "risk_close",
    "risk_open",
    "risk_task_link",
    "risk_update",
    "risks_open_for_accounts",
    "subscription_loss_record",
    "SweepResult",
]
