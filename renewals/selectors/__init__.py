"""Reads of the renewals app (opportunities and forecast half)."""

from .forecast import ForecastFilters, forecast_accuracy, forecast_quarters, forecast_rows, forecast_summary
from .opportunities import (
    account_opportunities,
    board_columns,
    opportunity_list,
    pipeline_stages,
)

__all__ = [
    "ForecastFilters",
    "account_opportunities",
    "board_columns",
    "forecast_accuracy",
    "forecast_quarters",
    "forecast_rows",
    "forecast_summary",
    "opportunity_list",
    "pipeline_stages",
]
