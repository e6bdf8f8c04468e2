"""Reads of the renewals app: opportunities, the forecast, risks and reasons, the risk reports."""

from .forecast import ForecastFilters, forecast_accuracy, forecast_quarters, forecast_rows, forecast_summary
from .opportunities import (
    account_opportunities,
    board_columns,
    opportunity_list,
    pipeline_stages,
)
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
    "account_opportunities",
    "account_reason_panel",
    "account_risks",
    "arr_at_risk_report",
    "board_columns",
    "forecast_accuracy",
    "forecast_quarters",
    "forecast_rows",
    "forecast_summary",
    "ForecastFilters",
    "lost_reasons_report",
    "opportunity_list",
    "pipeline_stages",
    "reason_codes_active",
    "reason_codes_all",
    "risk_linked_tasks",
    "risk_list",
    "tenure_band",
]
