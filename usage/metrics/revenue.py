"""Metrics from summed components (`metrics_from_components`, `period_metrics`) and MRR over time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from accounts.currency import rate_sql, rates_for_months
from accounts.models import Subscription

from .components import cost_totals, metric_components
from .slices import CENT, METRIC_KEYS, MONEY_COMPONENTS, _d, _is_everyone, _money, _rows, _slice_sql


def _ratio(numerator, denominator) -> float | None:
    if not denominator:
        return None
    return round(float(numerator) / float(denominator), 4)


def metrics_from_components(
    components: dict, *, start: date, end: date, costs: dict | None = None, survey: dict | None = None
) -> dict:
    """DESIGN.md's keys from summed components. `costs` (from `cost_totals`) only for the
    whole book: cost entries carry no account, so `crc` is None for a slice. `survey` is
    `surveys.metrics.survey_scores(...)` (nps, csat, ces); without it those keys are None."""
    c = components
    has_revenue = c["revenue_accounts"] > 0
    out: dict = {key: None for key in METRIC_KEYS}
    if has_revenue:
        for field in MONEY_COMPONENTS:
            out[field] = c[field]
    mrr_start = c["mrr_start"]
    if has_revenue and mrr_start > 0:
        out["grr"] = _ratio(mrr_start - c["mrr_contraction"] - c["mrr_churned"], mrr_start)
        out["nrr"] = _ratio(mrr_start + c["mrr_expansion"] - c["mrr_contraction"] - c["mrr_churned"], mrr_start)
    churn = None
    if c["accounts_active_start"]:
        churn = c["accounts_churned"] / c["accounts_active_start"]
        out["logo_churn_rate"] = round(churn, 4)
    out["renewal_rate"] = _ratio(c["renewals_renewed"], c["renewals_due"])
    out["trial_conversion_rate"] = _ratio(c["trials_converted"], c["trials_ended"])
    out["fcr"] = _ratio(c["tickets_resolved_one_reply"], c["tickets_resolved"])
    if c["tickets_responded"]:
        out["avg_first_response_hours"] = round(c["response_hours_sum"] / c["tickets_responded"], 2)
    out["clv"] = _clv(c, churn, start, end)
    if costs is not None and costs["entries"] and c["accounts_active_start"]:
        out["crc"] = (costs["total"] / c["accounts_active_start"]).quantize(CENT)
    if survey:
        for key in ("nps", "csat", "ces"):
            out[key] = survey.get(key)
    return out


def annualised_churn(rate: float, days: int) -> float:
    """A period's logo churn rate compounded to a year: 1 - (1 - rate) ** (365 / days)."""
    return 1 - (1 - rate) ** (365 / days)


def _clv(c: dict, churn: float | None, start: date, end: date) -> Decimal | None:
    """Annual revenue per account active on `end` x expected lifetime in years
    (1 / annualised logo churn). None without active accounts, or without any churn (an
    unbounded lifetime is no estimate)."""
    if churn is None or churn == 0 or not c["accounts_active_end"]:
        return None
    annual_churn = annualised_churn(churn, (end - start).days)
    annual_revenue = c["mrr_end"] * 12 / c["accounts_active_end"]
    return (annual_revenue / Decimal(str(annual_churn))).quantize(CENT)


def period_metrics(*, start: date, end: date, accounts: QuerySet | None = None, survey: dict | None = None) -> dict:
    """Every revenue and support metric of DESIGN.md for [start, end) over a slice: the exact
    computation (reports' pre-aggregate is tested against it)."""
    components = metric_components(start=start, end=end, accounts=accounts)[0]
    costs = cost_totals(start=start, end=end) if _is_everyone(accounts) else None
    return metrics_from_components(components, start=start, end=end, costs=costs, survey=survey)


def mrr_on(*, day: date, accounts: QuerySet | None = None) -> Decimal:
    """Total MRR on one day."""
    return mrr_by_days(days=[day], accounts=accounts)[day]


def mrr_by_days(*, days: Sequence[date], accounts: QuerySet | None = None) -> dict[date, Decimal]:
    """Total MRR on each of `days` in the base currency (each day at its month's rates; a
    subscription without a rate is left out: `accounts.currency.subscription_missing_rates`
    names what is missing): one query, one CASE sum per day."""
    if not days:
        return {}
    sub = Subscription._meta.db_table
    slice_sql, slice_params = _slice_sql(accounts, "s.account_id")
    table = rates_for_months(days)
    sums = ", ".join(
        "SUM(CASE WHEN s.start_date <= %s AND (s.end_date IS NULL OR s.end_date > %s) "
        f"THEN s.mrr * {rate_sql('s.currency', day, rates=table)} ELSE 0 END) AS d{i}"
        for i, day in enumerate(days)
    )
    params: list = []
    for day in days:
        params += [_d(day), _d(day)]
    row = _rows(
        f"SELECT {sums} FROM {sub} s WHERE s.is_trial = %s AND s.mrr > 0 AND s.start_date <= %s{slice_sql}",
        [*params, False, _d(max(days)), *slice_params],
    )[0]
    return {day: _money(row[f"d{i}"]) for i, day in enumerate(days)}


def month_starts(*, last: date, months: int) -> list[date]:
    """The first days of `months` consecutive months ending with `last`'s month."""
    out = []
    year, month = last.year, last.month
    for _ in range(months):
        out.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return out[::-1]


def mrr_by_month(*, months: int = 12, today: date, accounts: QuerySet | None = None) -> list[tuple[date, Decimal]]:
    """MRR on the first day of each of the last `months` months (today's month last), and
    today's MRR appended when today is not a first of the month: [(day, mrr), ...]."""
    days = month_starts(last=today, months=months)
    if today not in days:
        days.append(today)
    values = mrr_by_days(days=days, accounts=accounts)
    return [(day, values[day]) for day in days]
