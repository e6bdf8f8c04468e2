"""CS ROI: what customer success cost against the revenue it kept and grew."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from accounts.models import Referral

from .components import cost_totals, metric_components
from .revenue import _ratio
from .slices import CENT, ZERO, _money, _rows, _ts, _validate_period


def cs_roi(*, start: date, end: date, components: dict | None = None) -> dict:
    """CS ROI for [start, end) over the whole book (costs carry no account).

    retention revenue = retained MRR of the starting book (mrr_start - contraction - churned)
                        x 12 x days / 365 (the recurring revenue the period kept);
    expansion revenue = mrr_expansion x 12 x days / 365;
    referral revenue  = revenue of referrals won, recorded in the period (Referral.created_at);
    costs             = cost entries with period_start in the period: staff + tools + loyalty
                        (the "other" category is shown apart, not counted, as DESIGN.md lists
                        the three).
    roi = revenues - costs; roi_ratio = roi / costs (None when costs are 0).
    `components` (the whole book's `metric_components`, e.g. summed from a pre-aggregate)
    saves recomputing them.
    """
    _validate_period(start, end)
    if components is None:
        components = metric_components(start=start, end=end)[0]
    years = Decimal((end - start).days) / Decimal(365)
    retained = components["mrr_start"] - components["mrr_contraction"] - components["mrr_churned"]
    retention_revenue = (retained * 12 * years).quantize(CENT)
    expansion_revenue = (components["mrr_expansion"] * 12 * years).quantize(CENT)
    referral_revenue = _referral_revenue(start, end)
    costs = cost_totals(start=start, end=end)
    staff, tools, loyalty = (costs.get(k, ZERO) for k in ("staff", "tools", "loyalty"))
    cost = staff + tools + loyalty
    revenue = retention_revenue + expansion_revenue + referral_revenue
    has_data = components["revenue_accounts"] > 0 or costs["entries"] > 0 or referral_revenue > 0
    return {
        "retention_revenue": retention_revenue,
        "expansion_revenue": expansion_revenue,
        "referral_revenue": referral_revenue,
        "staff_cost": staff,
        "tools_cost": tools,
        "loyalty_cost": loyalty,
        "other_cost": costs.get("other", ZERO),
        "revenue": revenue,
        "cost": cost,
        "roi": (revenue - cost) if has_data else None,
        "roi_ratio": _ratio(revenue - cost, cost) if has_data else None,
    }


def _referral_revenue(start: date, end: date) -> Decimal:
    from accounts.choices import ReferralStatus

    table = Referral._meta.db_table
    row = _rows(
        f"SELECT SUM(revenue) AS total FROM {table} WHERE status = %s AND created_at >= %s AND created_at < %s",
        [ReferralStatus.WON, _ts(start), _ts(end)],
    )[0]
    return _money(row["total"])
