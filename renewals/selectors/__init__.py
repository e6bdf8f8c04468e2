"""Reads for renewals: risks and reasons (`risks`), the risk reports (`risk_reports`)."""

from .risk_reports import arr_at_risk_report, lost_reasons_report, tenure_band
from .risks import (
    account_reason_panel,
    account_risks,
    reason_codes_active,
    reason_codes_all,
    risk_linked_tasks,
    risk_list,
)

__all__ = [
    "account_reason_panel",
    "account_risks",
    "arr_at_risk_report",
    "lost_reasons_report",
    "reason_codes_active",
    "reason_codes_all",
    "risk_linked_tasks",
    "risk_list",
    "tenure_band",
]
