"""Revenue and support metrics, computed where their data lives (DESIGN.md "Metric definitions").

Conventions (docs/metrics.md has the definitions with worked examples):

- A period is [start, end): dates are UTC days, timestamps count from start 00:00 UTC up to,
  not including, end 00:00 UTC. MRR is measured *on* `start` and *on* `end`.
- An account's MRR on a day = the sum of the MRR of its paid subscriptions active that day
  (start_date <= day < end_date, end_date null = open). Trials count 0. A *paid subscription*
  is one that is not a trial and has MRR > 0. Active = MRR > 0.
- A slice is an Account queryset (segment, tier, CSM = account owner), see `account_slice`.
  Slices use the account's current segment / tier / owner.
- A metric with no data is None: ratios whose denominator is 0, money figures of a slice that
  has no paid subscription at all, means over no tickets.

Every figure is set-based SQL: per-account MRR on two days is one aggregate query (one row per
account, two CASE sums) wrapped in an outer aggregate, never a Python loop of queries. The
queries are written in portable SQL; the only vendor difference (date + N days, hours between
two timestamps) goes through usage.sql.dialect (`date_plus`, `hours_between`).

`metric_components(...)` returns the *additive* counts and sums behind every metric, optionally
grouped by (segment, tier, owner_id); `metrics_from_components` turns summed components into
the DESIGN.md keys. The reports app stores grouped components as a pre-aggregate and sums
them per slice, so the pre-aggregate and the live figures share this one definition.

The package, one family a module: slices (slices, keys, SQL helpers), components (additive
components, costs), revenue (metrics from components, MRR over time), cohorts, product
(usage and adoption), expansion (signals), roi (CS ROI). Public names are re-exported here.
"""

from .cohorts import cohort_cells, cohort_table
from .components import cost_totals, metric_components, sum_components
from .expansion import EXPANSION_THRESHOLD, expansion_signals
from .product import (
    USAGE_FIELDS,
    USAGE_WINDOW_DAYS,
    WEEK_DAYS,
    adoption_from_counts,
    feature_adoption,
    feature_use_counts,
    product_usage,
    usage_components,
    usage_from_components,
    usage_rows,
    usage_window,
)
from .revenue import (
    annualised_churn,
    metrics_from_components,
    month_starts,
    mrr_by_days,
    mrr_by_month,
    mrr_on,
    period_metrics,
)
from .roi import cs_roi
from .slices import (
    CENT,
    COMPONENT_FIELDS,
    COUNT_COMPONENTS,
    FLOAT_COMPONENTS,
    GROUP_FIELDS,
    METRIC_KEYS,
    MONEY_COMPONENTS,
    TRIAL_CONVERSION_DAYS,
    ZERO,
    account_slice,
)

__all__ = [
    "CENT",
    "COMPONENT_FIELDS",
    "COUNT_COMPONENTS",
    "EXPANSION_THRESHOLD",
    "FLOAT_COMPONENTS",
    "GROUP_FIELDS",
    "METRIC_KEYS",
    "MONEY_COMPONENTS",
    "TRIAL_CONVERSION_DAYS",
    "USAGE_FIELDS",
    "USAGE_WINDOW_DAYS",
    "WEEK_DAYS",
    "ZERO",
    "account_slice",
    "adoption_from_counts",
    "annualised_churn",
    "cohort_cells",
    "cohort_table",
    "cost_totals",
    "cs_roi",
    "expansion_signals",
    "feature_adoption",
    "feature_use_counts",
    "metric_components",
    "metrics_from_components",
    "month_starts",
    "mrr_by_days",
    "mrr_by_month",
    "mrr_on",
    "period_metrics",
    "product_usage",
    "sum_components",
    "usage_components",
    "usage_from_components",
    "usage_rows",
    "usage_window",
]
