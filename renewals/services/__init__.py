"""Writes for renewals: risks (`risks`) and churn / downgrade reasons (`reasons`)."""

from .reasons import (
    change_key,
    churn_reason_record,
    reason_code_save,
    reason_prompt_answer,
    reason_prompt_open,
    subscription_loss_record,
)
from .risks import risk_close, risk_open, risk_task_link, risk_update, risks_open_for_accounts

__all__ = [
    "change_key",
    "churn_reason_record",
    "reason_code_save",
    "reason_prompt_answer",
    "reason_prompt_open",
    "risk_close",
    "risk_open",
    "risk_task_link",
    "risk_update",
    "risks_open_for_accounts",
    "subscription_loss_record",
]
