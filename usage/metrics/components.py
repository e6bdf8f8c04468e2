"""The additive components behind every revenue and support metric (`metric_components`),
optionally grouped by segment, tier and owner, and the period's costs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.db.models import QuerySet

from accounts.currency import rate_sql, rates_for_months
from accounts.models import CostEntry, Subscription, SupportTicket

from ..sql.dialect import date_plus as _date_plus
from ..sql.dialect import hours_between as _hours_between
from .slices import (
    COMPONENT_FIELDS,
    COUNT_COMPONENTS,
    FLOAT_COMPONENTS,
    MONEY_COMPONENTS,
    TRIAL_CONVERSION_DAYS,
    ZERO,
    _d,
    _group_sql,
    _key,
    _money,
    _rows,
    _slice_sql,
    _ts,
    _validate_period,
)


def _revenue_components(start: date, end: date, accounts, group_by, constant_currency: bool = False) -> list[dict]:
    """Per account: MRR on `start` (m0) and `end` (m1) in the base currency, each subscription
    at its currency's rate for that day's month (`constant_currency`: both days at `end`'s
    month's rates, so only contract changes move the figures). A subscription whose currency
    has no rate that month counts 0: it is left out of the money *and* of the active counts
    (an account left with nothing converted is not "active" in these figures). Callers name
    what is missing with `accounts.currency.subscription_missing_rates` (the API refuses to
    answer, the pages warn). The same statement as without conversion, each MRR multiplied by
    an inlined CASE on the currency: today's cost (bench/metrics_currency.py)."""
    sub = Subscription._meta.db_table
    select, join, group = _group_sql(group_by, "t")
    slice_sql, slice_params = _slice_sql(accounts, "s.account_id")
    table = rates_for_months([start, end])
    r1 = rate_sql("s.currency", end, rates=table, missing="0")
    r0 = r1 if constant_currency else rate_sql("s.currency", start, rates=table, missing="0")
    on = "s.start_date <= %s AND (s.end_date IS NULL OR s.end_date > %s)"
    sql = f"""
        SELECT {select}
            COUNT(*) AS revenue_accounts,
            SUM(t.m0) AS mrr_start,
            SUM(t.m1) AS mrr_end,
            SUM(CASE WHEN t.m0 = 0 AND t.m1 > 0 AND t.paid_before = 0 THEN t.m1 ELSE 0 END) AS mrr_new,
            SUM(CASE WHEN t.m0 = 0 AND t.m1 > 0 AND t.paid_before = 1 THEN t.m1 ELSE 0 END) AS mrr_reactivation,
            SUM(CASE WHEN t.m0 > 0 AND t.m1 > t.m0 THEN t.m1 - t.m0 ELSE 0 END) AS mrr_expansion,
            SUM(CASE WHEN t.m0 > 0 AND t.m1 > 0 AND t.m1 < t.m0 THEN t.m0 - t.m1 ELSE 0 END) AS mrr_contraction,
            SUM(CASE WHEN t.m0 > 0 AND t.m1 = 0 THEN t.m0 ELSE 0 END) AS mrr_churned,
            SUM(CASE WHEN t.m0 > 0 THEN 1 ELSE 0 END) AS accounts_active_start,
            SUM(CASE WHEN t.m1 > 0 THEN 1 ELSE 0 END) AS accounts_active_end,
            SUM(CASE WHEN t.m0 > 0 AND t.m1 = 0 THEN 1 ELSE 0 END) AS accounts_churned
        FROM (
            SELECT s.account_id,
                SUM(CASE WHEN {on} THEN s.mrr * {r0} ELSE 0 END) AS m0,
                SUM(CASE WHEN {on} THEN s.mrr * {r1} ELSE 0 END) AS m1,
                MAX(CASE WHEN s.start_date < %s THEN 1 ELSE 0 END) AS paid_before
            FROM {sub} s
            WHERE s.is_trial = %s AND s.mrr > 0 AND s.start_date <= %s{slice_sql}
            GROUP BY s.account_id
        ) t{join}{group}
    """
    d0, d1 = [_d(start), _d(start)], [_d(end), _d(end)]
    params = [*d0, *d1, _d(start), False, _d(end), *slice_params]
    return _rows(sql, params)


def _renewal_components(start: date, end: date, accounts, group_by) -> list[dict]:
    sub = Subscription._meta.db_table
    select, join, group = _group_sql(group_by, "s")
    slice_sql, slice_params = _slice_sql(accounts, "s.account_id")
    sql = f"""
        SELECT {select}
            COUNT(*) AS renewals_due,
            SUM(CASE WHEN EXISTS (
                SELECT 1 FROM {sub} r
                WHERE r.account_id = s.account_id AND r.is_trial = %s AND r.mrr > 0
                  AND r.start_date <= s.end_date AND (r.end_date IS NULL OR r.end_date > s.end_date)
            ) THEN 1 ELSE 0 END) AS renewals_renewed
        FROM {sub} s{join}
        WHERE s.is_trial = %s AND s.mrr > 0 AND s.end_date >= %s AND s.end_date < %s{slice_sql}{group}
    """
    return _rows(sql, [False, False, _d(start), _d(end), *slice_params])


def _trial_components(start: date, end: date, accounts, group_by) -> list[dict]:
    sub = Subscription._meta.db_table
    select, join, group = _group_sql(group_by, "s")
    slice_sql, slice_params = _slice_sql(accounts, "s.account_id")
    window_end = _date_plus("s.end_date", TRIAL_CONVERSION_DAYS)
    sql = f"""
        SELECT {select}
            COUNT(*) AS trials_ended,
            SUM(CASE WHEN EXISTS (
                SELECT 1 FROM {sub} p
                WHERE p.account_id = s.account_id AND p.is_trial = %s AND p.mrr > 0
                  AND p.start_date < {window_end} AND (p.end_date IS NULL OR p.end_date > s.end_date)
            ) THEN 1 ELSE 0 END) AS trials_converted
        FROM {sub} s{join}
        WHERE s.is_trial = %s AND s.end_date >= %s AND s.end_date < %s{slice_sql}{group}
    """
    return _rows(sql, [False, True, _d(start), _d(end), *slice_params])


def _ticket_components(start: date, end: date, accounts, group_by) -> list[dict]:
    ticket = SupportTicket._meta.db_table
    select, join, group = _group_sql(group_by, "s")
    slice_sql, slice_params = _slice_sql(accounts, "s.account_id")
    resolved = _rows(
        f"""
        SELECT {select}
            COUNT(*) AS tickets_resolved,
            SUM(CASE WHEN s.agent_replies = 1 THEN 1 ELSE 0 END) AS tickets_resolved_one_reply
        FROM {ticket} s{join}
        WHERE s.resolved_at >= %s AND s.resolved_at < %s{slice_sql}{group}
        """,
        [_ts(start), _ts(end), *slice_params],
    )
    responded = _rows(
        f"""
        SELECT {select}
            COUNT(*) AS tickets_responded,
            SUM({_hours_between("s.first_response_at", "s.opened_at")}) AS response_hours_sum
        FROM {ticket} s{join}
        WHERE s.opened_at >= %s AND s.opened_at < %s AND s.first_response_at IS NOT NULL{slice_sql}{group}
        """,
        [_ts(start), _ts(end), *slice_params],
    )
    return resolved + responded


def _empty_components() -> dict:
    out: dict = dict.fromkeys(MONEY_COMPONENTS, ZERO)
    out.update(dict.fromkeys(COUNT_COMPONENTS, 0))
    out.update(dict.fromkeys(FLOAT_COMPONENTS, 0.0))
    return out


def _normalise(values: dict) -> dict:
    out = _empty_components()
    for field in MONEY_COMPONENTS:
        out[field] = _money(values.get(field))
    for field in COUNT_COMPONENTS:
        out[field] = int(values.get(field) or 0)
    for field in FLOAT_COMPONENTS:
        out[field] = float(values.get(field) or 0.0)
    return out


def metric_components(
    *,
    start: date,
    end: date,
    accounts: QuerySet | None = None,
    group_by: Sequence[str] = (),
    constant_currency: bool = False,
) -> list[dict]:
    """The additive components of every metric for [start, end) over `accounts` (None = all).
    Money is in the base currency (`_revenue_components` says how it converts).

    Without `group_by`: one dict. With `group_by` (a subset of GROUP_FIELDS): one dict per
    group that has any data, each carrying its group keys. Five queries whatever the size.
    """
    _validate_period(start, end)
    group_by = tuple(group_by)
    merged: dict[tuple, dict] = {}
    for part in (
        _revenue_components(start, end, accounts, group_by, constant_currency),
        _renewal_components(start, end, accounts, group_by),
        _trial_components(start, end, accounts, group_by),
        _ticket_components(start, end, accounts, group_by),
    ):
        for row in part:
            key = _key(row, group_by)
            target = merged.setdefault(key, {})
            for field, value in row.items():
                if field in COMPONENT_FIELDS and value is not None:
                    target[field] = value
    result = []
    for key, values in merged.items():
        row = _normalise(values)
        row.update(zip(group_by, key, strict=True))
        result.append(row)
    if not group_by:
        return result or [_empty_components()]
    return [row for row in result if any(row[f] for f in COMPONENT_FIELDS)]


def sum_components(rows: Iterable[dict]) -> dict:
    """Add component dicts (e.g. pre-aggregated groups of one slice)."""
    total = _empty_components()
    for row in rows:
        for field in COMPONENT_FIELDS:
            total[field] += row[field] if field not in MONEY_COMPONENTS else _money(row[field])
    return total


def cost_totals(*, start: date, end: date) -> dict:
    """Cost entries whose period_start falls in [start, end), summed per category, plus
    `total` and `entries` (the count). Costs carry no account, so they are never sliced."""
    _validate_period(start, end)
    table = CostEntry._meta.db_table
    rows = _rows(
        f"SELECT category, COUNT(*) AS n, SUM(amount) AS amount FROM {table} "
        "WHERE period_start >= %s AND period_start < %s GROUP BY category",
        [_d(start), _d(end)],
    )
    out = {"entries": 0, "total": ZERO}
    for row in rows:
        out[row["category"]] = _money(row["amount"])
        out["entries"] += int(row["n"])
        out["total"] += _money(row["amount"])
    return out
