"""Reads for the dashboards and the metrics API. `reports` composes the floors below and never
re-implements a metric: revenue / support / usage from usage.metrics (through the
pre-aggregate when it is fresh, else live), survey scores from surveys.metrics, TTFV from
onboarding.metrics, health from Account.health_band and the health snapshots (pre-aggregated).

Live results are cached per (what, slice, period, day, data version) in the Django cache; the
data version moves whenever subscriptions, tickets or survey answers change (reports/freshness.py), so a
cached figure always matches the data.

A package along the pages it serves (re-exported here, `from reports import selectors` works):
`base` (the slice, the cache, the pre-aggregate's freshness), `dashboard`, `scorecards`,
`cohorts`, `home`."""

from .base import (
    BANDS,
    CACHE_SECONDS,
    CUBE_FIELDS,
    LIVE_CACHE_SECONDS,
    LIVE_USAGE_MAX_ACCOUNTS,
    PAGE_CACHE_SECONDS,
    SURVEY_CUBE_FIELDS,
    Filters,
    cached,
    cube_is_fresh,
    in_cube,
    last_refresh,
    live_usage_ok,
    page_cached,
    survey_from_counts,
)
from .cohorts import (
    cohort_rows,
    cohort_ttfv,
    histogram_median,
)
from .dashboard import (
    cs_roi,
    dashboard_figures,
    feature_adoption,
    health_distribution,
    health_trend,
    mrr_months,
    nps_trend,
    period_components,
    period_metrics,
    renewals_forecast,
    survey_for,
)
from .home import (
    expansion_signals_for,
)
from .scorecards import (
    scorecard_rows,
    scorecards_for,
)

__all__ = [
    "BANDS",
    "CACHE_SECONDS",
    "CUBE_FIELDS",
    "LIVE_CACHE_SECONDS",
    "LIVE_USAGE_MAX_ACCOUNTS",
    "PAGE_CACHE_SECONDS",
    "SURVEY_CUBE_FIELDS",
    "Filters",
    "cached",
    "cohort_rows",
    "cohort_ttfv",
    "cs_roi",
    "dashboard_figures",
    "cube_is_fresh",
    "expansion_signals_for",
    "feature_adoption",
    "health_distribution",
    "health_trend",
    "histogram_median",
    "in_cube",
    "last_refresh",
    "live_usage_ok",
    "mrr_months",
    "nps_trend",
    "page_cached",
    "period_components",
    "period_metrics",
    "renewals_forecast",
    "scorecard_rows",
    "scorecards_for",
    "survey_for",
    "survey_from_counts",
]
