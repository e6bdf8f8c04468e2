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
two timestamps) goes through `_date_plus` / `_hours_between`.

`metric_components(...)` returns the *additive* counts and sums behind every metric, optionally
grouped by (segment, tier, owner_id); `metrics_from_components` turns summed components into
the DESIGN.md keys. The reports app stores grouped components as a pre-aggregate and sums
them per slice, so the pre-aggregate and the live figures share this one definition.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet

from accounts.models import Account, CostEntry, Referral, Subscription, SupportTicket

__all__ = [
    "COMPONENT_FIELDS",
    "GROUP_FIELDS",
    "MONEY_COMPONENTS",
    "METRIC_KEYS",
    "account_slice",
    "annualised_churn",
    "cohort_cells",
    "cohort_table",
    "cost_totals",
    "cs_roi",
    "adoption_from_counts",
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
    "usage_rows",
    "usage_from_components",
]

# The keys of GET /api/v1/metrics/ in DESIGN.md's order; nps / csat / ces come from surveys.
METRIC_KEYS = (
    "mrr_start",
    "mrr_end",
    "mrr_new",
    "mrr_reactivation",
    "mrr_expansion",
    "mrr_contraction",
    "mrr_churned",
    "grr",
    "nrr",
    "logo_churn_rate",
    "renewal_rate",
    "trial_conversion_rate",
    "nps",
    "csat",
    "ces",
    "fcr",
    "avg_first_response_hours",
    "clv",
    "crc",
)

GROUP_FIELDS = ("segment", "tier", "owner_id")

MONEY_COMPONENTS = (
    "mrr_start",
    "mrr_end",
    "mrr_new",
    "mrr_reactivation",
    "mrr_expansion",
    "mrr_contraction",
    "mrr_churned",
)
COUNT_COMPONENTS = (
    "revenue_accounts",  # accounts in the slice with a paid subscription starting before `end`
    "accounts_active_start",
    "accounts_active_end",
    "accounts_churned",
    "renewals_due",
    "renewals_renewed",
    "trials_ended",
    "trials_converted",
    "tickets_resolved",
    "tickets_resolved_one_reply",
    "tickets_responded",
)
FLOAT_COMPONENTS = ("response_hours_sum",)
COMPONENT_FIELDS = MONEY_COMPONENTS + COUNT_COMPONENTS + FLOAT_COMPONENTS

TRIAL_CONVERSION_DAYS = 30
CENT = Decimal("0.01")
ZERO = Decimal("0")


# Section: slices and SQL helpers


def account_slice(*, segment: str | None = None, tier: str | None = None, owner_id: int | None = None) -> QuerySet:
    """The accounts of one slice; any filter left None is not applied."""
    accounts = Account.objects.all()
    if segment:
        accounts = accounts.filter(segment=segment)
    if tier:
        accounts = accounts.filter(tier=tier)
    if owner_id:
        accounts = accounts.filter(owner_id=owner_id)
    return accounts


def _is_everyone(accounts: QuerySet | None) -> bool:
    return accounts is None or not accounts.query.where


def _slice_sql(accounts: QuerySet | None, column: str) -> tuple[str, list]:
    """` AND <column> IN (SELECT id FROM accounts ...)` for a filtered slice, '' for everyone."""
    if _is_everyone(accounts):
        return "", []
    sql, params = accounts.order_by().values("id").query.sql_with_params()
    return f" AND {column} IN ({sql})", list(params)


def _group_sql(group_by: Sequence[str], alias: str) -> tuple[str, str, str]:
    """(select list prefix, join to accounts, GROUP BY clause) for grouping by account fields."""
    if not group_by:
        return "", "", ""
    unknown = set(group_by) - set(GROUP_FIELDS)
    if unknown:
        raise ValueError(f"cannot group by {sorted(unknown)}")
    cols = ", ".join(f"a.{field}" for field in group_by)
    join = f" JOIN {Account._meta.db_table} a ON a.id = {alias}.account_id"
    return f"{cols}, ", join, f" GROUP BY {cols}"


def _date_plus(column: str, days: int) -> str:
    if connection.vendor == "sqlite":
        return f"date({column}, '+{int(days)} days')"
    return f"({column} + {int(days)})"


def _hours_between(later: str, earlier: str) -> str:
    if connection.vendor == "sqlite":
        return f"((julianday({later}) - julianday({earlier})) * 24.0)"
    return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 3600.0)"


def _d(day: date):
    return connection.ops.adapt_datefield_value(day)


def _ts(day: date):
    return connection.ops.adapt_datetimefield_value(datetime.combine(day, time.min, tzinfo=UTC))


def _rows(sql: str, params: list) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [col[0] for col in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _money(value) -> Decimal:
    if value is None:
        return ZERO
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return value.quantize(CENT)


def _key(row: dict, group_by: Sequence[str]) -> tuple:
    return tuple(row[field] for field in group_by)


def _validate_period(start: date, end: date) -> None:
    if start >= end:
        raise ValueError("start must be before end")


# Section: components (additive)


def _revenue_components(start: date, end: date, accounts, group_by) -> list[dict]:
    sub = Subscription._meta.db_table
    select, join, group = _group_sql(group_by, "t")
    slice_sql, slice_params = _slice_sql(accounts, "s.account_id")
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
                SUM(CASE WHEN s.start_date <= %s AND (s.end_date IS NULL OR s.end_date > %s)
                    THEN s.mrr ELSE 0 END) AS m0,
                SUM(CASE WHEN s.start_date <= %s AND (s.end_date IS NULL OR s.end_date > %s)
                    THEN s.mrr ELSE 0 END) AS m1,
                MAX(CASE WHEN s.start_date < %s THEN 1 ELSE 0 END) AS paid_before
            FROM {sub} s
            WHERE s.is_trial = %s AND s.mrr > 0 AND s.start_date <= %s{slice_sql}
            GROUP BY s.account_id
        ) t{join}{group}
    """
    params = [_d(start), _d(start), _d(end), _d(end), _d(start), False, _d(end), *slice_params]
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
) -> list[dict]:
    """The additive components of every metric for [start, end) over `accounts` (None = all).

    Without `group_by`: one dict. With `group_by` (a subset of GROUP_FIELDS): one dict per
    group that has any data, each carrying its group keys. Five queries whatever the size.
    """
    _validate_period(start, end)
    group_by = tuple(group_by)
    merged: dict[tuple, dict] = {}
    for part in (
        _revenue_components(start, end, accounts, group_by),
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


# Section: costs


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


# Section: metrics


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


# Section: MRR over time


def mrr_on(*, day: date, accounts: QuerySet | None = None) -> Decimal:
    """Total MRR on one day."""
    return mrr_by_days(days=[day], accounts=accounts)[day]


def mrr_by_days(*, days: Sequence[date], accounts: QuerySet | None = None) -> dict[date, Decimal]:
    """Total MRR on each of `days`: one query, one CASE sum per day."""
    if not days:
        return {}
    sub = Subscription._meta.db_table
    slice_sql, slice_params = _slice_sql(accounts, "s.account_id")
    sums = ", ".join(
        f"SUM(CASE WHEN s.start_date <= %s AND (s.end_date IS NULL OR s.end_date > %s) THEN s.mrr ELSE 0 END) AS d{i}"
        for i in range(len(days))
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


# Section: cohorts


def _month_of(column: str) -> str:
    if connection.vendor == "sqlite":
        return f"date({column}, 'start of month')"
    return f"CAST(date_trunc('month', {column}) AS date)"


def cohort_cells(
    *, months: int, today: date, accounts: QuerySet | None = None, group_by: Sequence[str] = ()
) -> list[dict]:
    """Cohort figures for accounts whose first paid day falls in the last `months` months.

    An account's cohort is the month of its first paid day (its earliest paid subscription).
    Returns additive cells: for each cohort (and group) one base cell with `day` None,
    `size` (accounts) and `mrr` (their MRR on each one's first paid day); then for each
    first-of-month `day` after the cohort began, up to today, a cell with `active` (cohort
    accounts active that day) and `mrr` (their MRR that day). Two queries.
    """
    first_month = month_starts(last=today, months=months)[0]
    days = [d for d in month_starts(last=today, months=months + 1) if first_month < d <= today]
    sub = Subscription._meta.db_table
    slice_sql, slice_params = _slice_sql(accounts, "account_id")
    group_cols = ""
    group_join = ""
    if group_by:
        _group_sql(group_by, "f")  # validates the fields
        group_cols = "".join(f", a.{field}" for field in group_by)
        group_join = f" JOIN {Account._meta.db_table} a ON a.id = f.account_id"
    first_cte = f"""
        WITH f AS (
            SELECT account_id, MIN(start_date) AS first_day, {_month_of("MIN(start_date)")} AS cohort
            FROM {sub}
            WHERE is_trial = %s AND mrr > 0{slice_sql}
            GROUP BY account_id
        )
    """
    first_params = [False, *slice_params]
    out_fields = ("cohort", *group_by)
    base = _rows(
        f"""{first_cte}
        SELECT f.cohort AS cohort{group_cols}, COUNT(DISTINCT f.account_id) AS size, SUM(s.mrr) AS mrr
        FROM f{group_join}
        JOIN {sub} s ON s.account_id = f.account_id AND s.is_trial = %s AND s.mrr > 0
             AND s.start_date <= f.first_day AND (s.end_date IS NULL OR s.end_date > f.first_day)
        WHERE f.first_day >= %s AND f.first_day <= %s
        GROUP BY f.cohort{group_cols}
        """,
        [*first_params, False, _d(first_month), _d(today)],
    )
    cells = [
        {
            **{k: row[k] for k in out_fields},
            "day": None,
            "size": int(row["size"]),
            "active": int(row["size"]),
            "mrr": _money(row["mrr"]),
        }
        for row in base
    ]
    if days:
        day_rows = " UNION ALL ".join("SELECT %s AS day" for _ in days)
        grid = _rows(
            f"""{first_cte}
            SELECT f.cohort AS cohort{group_cols}, m.day AS day,
                   COUNT(DISTINCT s.account_id) AS active, SUM(s.mrr) AS mrr
            FROM f{group_join}
            JOIN {sub} s ON s.account_id = f.account_id AND s.is_trial = %s AND s.mrr > 0
            JOIN ({day_rows}) m ON s.start_date <= m.day AND (s.end_date IS NULL OR s.end_date > m.day)
                 AND m.day > f.first_day
            WHERE f.first_day >= %s AND f.first_day <= %s
            GROUP BY f.cohort{group_cols}, m.day
            """,
            [*first_params, False, *[_d(d) for d in days], _d(first_month), _d(today)],
        )
        cells += [
            {
                **{k: row[k] for k in out_fields},
                "day": row["day"],
                "size": 0,
                "active": int(row["active"]),
                "mrr": _money(row["mrr"]),
            }
            for row in grid
        ]
    for cell in cells:
        for key in ("cohort", "day"):
            if isinstance(cell[key], str):
                cell[key] = date.fromisoformat(cell[key][:10])
            elif isinstance(cell[key], datetime):
                cell[key] = cell[key].date()
    return cells


def cohort_table(cells: Iterable[dict], *, months: int, today: date) -> list[dict]:
    """Cells (summed over groups) -> one row per cohort month, oldest first:
    {"cohort", "size", "start_mrr", "columns": [{"index", "day", "active", "mrr",
    "logo_retention", "revenue_retention"}, ...]}. Column k is measured on the first day of
    the k-th month after the cohort month (k = 1 is the end of the cohort's first month);
    retention is None when the cohort has no base (size 0, MRR 0)."""
    base: dict[date, dict] = {}
    grid: dict[tuple[date, date], dict] = {}
    for cell in cells:
        if cell["day"] is None:
            b = base.setdefault(cell["cohort"], {"size": 0, "mrr": ZERO})
            b["size"] += cell["size"]
            b["mrr"] += cell["mrr"]
        else:
            g = grid.setdefault((cell["cohort"], cell["day"]), {"active": 0, "mrr": ZERO})
            g["active"] += cell["active"]
            g["mrr"] += cell["mrr"]
    rows = []
    for cohort in month_starts(last=today, months=months):
        b = base.get(cohort, {"size": 0, "mrr": ZERO})
        columns = []
        for day in month_starts(last=today, months=months + 1):
            if day <= cohort or day > today:
                continue
            g = grid.get((cohort, day), {"active": 0, "mrr": ZERO})
            columns.append(
                {
                    "index": len(columns) + 1,
                    "day": day,
                    "active": g["active"],
                    "mrr": g["mrr"],
                    "logo_retention": _ratio(g["active"], b["size"]),
                    "revenue_retention": _ratio(g["mrr"], b["mrr"]),
                }
            )
        rows.append({"cohort": cohort, "size": b["size"], "start_mrr": b["mrr"], "columns": columns})
    return rows


# Section: product usage (from usage.rollups' AccountDailyUsage)

USAGE_WINDOW_DAYS = 30
WEEK_DAYS = 7


def _json_elements(column: str) -> str:
    """A FROM-clause item yielding one row per element of a JSON array column, as `j.value`."""
    if connection.vendor == "sqlite":
        return f"json_each({column}) AS j"
    return f"LATERAL jsonb_array_elements({column}) AS j(value)"


def _json_keys(column: str) -> str:
    """One row per (key, value) of a JSON object column, as `j.key`, `j.value` (text)."""
    if connection.vendor == "sqlite":
        return f"json_each({column}) AS j"
    return f"LATERAL jsonb_each_text({column}) AS j(key, value)"


def usage_window(*, start: date, end: date) -> tuple[date, date]:
    """The window usage figures cover: the period's last 30 days (all of it when shorter)."""
    _validate_period(start, end)
    return max(start, end - timedelta(days=USAGE_WINDOW_DAYS)), end


def usage_components(
    *, start: date, end: date, accounts: QuerySet | None = None, group_by: Sequence[str] = ()
) -> list[dict]:
    """Additive usage figures over the period's usage window [w0, end) (see `usage_window`):

    - contact_days: sum over the window's days of contacts active that day (-> DAU = / days);
    - wau: distinct contacts active in [end - 7 days, end);
    - mau: distinct contacts active in the window;
    - usage_accounts: accounts with any event in the window;
    - feature_accounts: sum over accounts active (paid) on `end` of the distinct features
      (event names) each used in [start, end) (-> features per active account).

    Contacts belong to one account, so distinct counts add up across accounts and groups.
    Three queries.
    """
    from .models import AccountDailyUsage

    w0, w1 = usage_window(start=start, end=end)
    group_by = tuple(group_by)
    rollup = AccountDailyUsage._meta.db_table
    sub = Subscription._meta.db_table
    select, join, group = _group_sql(group_by, "t")
    slice_sql, slice_params = _slice_sql(accounts, "r.account_id")
    week_start = max(w0, end - timedelta(days=WEEK_DAYS))
    contacts = _rows(
        f"""
        SELECT {select} SUM(t.contact_days) AS contact_days, SUM(t.wau) AS wau, SUM(t.mau) AS mau
        FROM (
            SELECT r.account_id,
                   COUNT(DISTINCT CASE WHEN r.day >= %s THEN j.value END) AS wau,
                   COUNT(DISTINCT j.value) AS mau,
                   0 AS contact_days
            FROM {rollup} r, {_json_elements("r.contact_ids")}
            WHERE r.day >= %s AND r.day < %s{slice_sql}
            GROUP BY r.account_id
            UNION ALL
            SELECT r.account_id, 0, 0, SUM(r.active_contacts)
            FROM {rollup} r
            WHERE r.day >= %s AND r.day < %s AND r.events > 0{slice_sql}
            GROUP BY r.account_id
        ) t{join}{group}
        """,
        [_d(week_start), _d(w0), _d(w1), *slice_params, _d(w0), _d(w1), *slice_params],
    )
    accounts_rows = _rows(
        f"""
        SELECT {select} COUNT(*) AS usage_accounts FROM (
            SELECT DISTINCT r.account_id FROM {rollup} r
            WHERE r.day >= %s AND r.day < %s AND r.events > 0{slice_sql}
        ) t{join}{group}
        """,
        [_d(w0), _d(w1), *slice_params],
    )
    features = _rows(
        f"""
        SELECT {select} COUNT(*) AS feature_accounts FROM (
            SELECT DISTINCT r.account_id, j.key AS feature
            FROM {rollup} r, {_json_keys("r.features")}
            WHERE r.day >= %s AND r.day < %s{slice_sql}
              AND r.account_id IN (
                SELECT s.account_id FROM {sub} s WHERE s.is_trial = %s AND s.mrr > 0
                AND s.start_date <= %s AND (s.end_date IS NULL OR s.end_date > %s))
        ) t{join}{group}
        """,
        [_d(start), _d(end), *slice_params, False, _d(end), _d(end)],
    )
    merged: dict[tuple, dict] = {}
    for part, fields in (
        (contacts, ("contact_days", "wau", "mau")),
        (accounts_rows, ("usage_accounts",)),
        (features, ("feature_accounts",)),
    ):
        for row in part:
            target = merged.setdefault(_key(row, group_by), dict.fromkeys(USAGE_FIELDS, 0))
            for field in fields:
                target[field] = int(row[field] or 0)
    return usage_rows(merged, group_by, window_days=(w1 - w0).days)


def usage_rows(merged: dict[tuple, dict], group_by: Sequence[str], *, window_days: int) -> list[dict]:
    """usage_components' rows from {group key: USAGE_FIELDS values}: each with its group
    columns and the window's length; one row of zeros when ungrouped and empty, and grouped
    rows that have any usage."""
    out = []
    for key, values in merged.items():
        values.update(zip(group_by, key, strict=True))
        values["window_days"] = window_days
        out.append(values)
    if not group_by:
        return out or [{**dict.fromkeys(USAGE_FIELDS, 0), "window_days": window_days}]
    return [row for row in out if any(row[f] for f in USAGE_FIELDS)]


USAGE_FIELDS = ("contact_days", "wau", "mau", "usage_accounts", "feature_accounts")


def usage_from_components(usage: dict, *, accounts_active_end: int) -> dict:
    """DAU / WAU / MAU / stickiness (DAU / MAU) and features per active account; None without data."""
    has_usage = usage["mau"] > 0 or usage["usage_accounts"] > 0
    days = usage.get("window_days") or 1
    dau = round(usage["contact_days"] / days, 2) if has_usage else None
    return {
        "dau": dau,
        "wau": usage["wau"] if has_usage else None,
        "mau": usage["mau"] if has_usage else None,
        "stickiness": _ratio(usage["contact_days"] / days, usage["mau"]) if usage["mau"] else None,
        "usage_accounts": usage["usage_accounts"] if has_usage else None,
        "features_per_account": _ratio(usage["feature_accounts"], accounts_active_end) if has_usage else None,
    }


def product_usage(*, start: date, end: date, accounts: QuerySet | None = None) -> dict:
    """DAU, WAU, MAU, stickiness and features per active account for [start, end)."""
    usage = usage_components(start=start, end=end, accounts=accounts)[0]
    revenue = _revenue_components(start, end, accounts, ())
    active_end = int(revenue[0]["accounts_active_end"] or 0) if revenue else 0
    return usage_from_components(usage, accounts_active_end=active_end)


def feature_use_counts(
    *, start: date, end: date, accounts: QuerySet | None = None, group_by: Sequence[str] = ()
) -> list[dict]:
    """Per feature (event name), and per group when asked: accounts active (paid) on `end`
    that used it in [start, end). Additive across groups. One query."""
    from .models import AccountDailyUsage

    _validate_period(start, end)
    group_by = tuple(group_by)
    rollup = AccountDailyUsage._meta.db_table
    sub = Subscription._meta.db_table
    select, join, group = _group_sql(group_by, "u")
    slice_sql, slice_params = _slice_sql(accounts, "s.account_id")
    group_cols = "".join(f", a.{field}" for field in group_by)
    rows = _rows(
        f"""
        SELECT {select} u.feature AS feature, COUNT(*) AS accounts FROM (
            SELECT DISTINCT r.account_id, j.key AS feature
            FROM {rollup} r, {_json_keys("r.features")}
            WHERE r.day >= %s AND r.day < %s AND r.account_id IN (
                SELECT s.account_id FROM {sub} s WHERE s.is_trial = %s AND s.mrr > 0
                AND s.start_date <= %s AND (s.end_date IS NULL OR s.end_date > %s){slice_sql})
        ) u{join}
        GROUP BY u.feature{group_cols}
        """,
        [_d(start), _d(end), False, _d(end), _d(end), *slice_params],
    )
    return [
        {**{k: row[k] for k in group_by}, "feature": row["feature"], "accounts": int(row["accounts"])} for row in rows
    ]


def adoption_from_counts(counts: dict[str, int], *, accounts_active_end: int) -> list[dict]:
    """{feature: accounts} -> [{"feature", "accounts", "adoption"}], most adopted first."""
    rows = [
        {"feature": feature, "accounts": n, "adoption": _ratio(n, accounts_active_end)} for feature, n in counts.items()
    ]
    return sorted(rows, key=lambda r: (-r["accounts"], r["feature"]))


def feature_adoption(*, start: date, end: date, accounts: QuerySet | None = None) -> list[dict]:
    """Per feature (event name): how many accounts active (paid) on `end` used it in
    [start, end), and that as a share of all accounts active on `end`. Most adopted first.
    Two queries."""
    counts: dict[str, int] = {}
    for row in feature_use_counts(start=start, end=end, accounts=accounts):
        counts[row["feature"]] = row["accounts"]
    revenue = _revenue_components(start, end, accounts, ())
    active_end = int(revenue[0]["accounts_active_end"] or 0) if revenue else 0
    return adoption_from_counts(counts, accounts_active_end=active_end)


EXPANSION_THRESHOLD = 0.8


def _ids_filter(column: str, ids: list[int]) -> tuple[str, list]:
    """`column` IN the given ids, as one parameter (no statement growing with the list)."""
    if connection.vendor == "sqlite":
        return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(ids)]
    return f"{column} = ANY(%s)", [ids]


def expansion_signals(
    *, as_of: date, accounts: QuerySet | None = None, threshold: float = EXPANSION_THRESHOLD, limit: int | None = 50
) -> list[dict]:
    """Usage near the plan's limits on `as_of`, over the 30 days ending that day (inclusive):

    - for each numeric entitlement {feature: limit} of a paid subscription active on `as_of`,
      the feature's events in the window against the limit;
    - seats: distinct active contacts in the window against the subscriptions' seats.

    Rows with used / limit >= threshold, highest ratio first: {"account_id", "account_name",
    "owner_id", "what", "used", "limit", "ratio"}. Three queries: the limits of the active paid
    subscriptions, then the usage of just those accounts (by the rollup's (account, day) key).
    """
    from .models import AccountDailyUsage

    w0, w1 = as_of - timedelta(days=USAGE_WINDOW_DAYS - 1), as_of + timedelta(days=1)
    subs = Subscription.objects.active_on(as_of).paid().filter(mrr__gt=0)
    if not _is_everyone(accounts):
        subs = subs.filter(account__in=accounts.order_by().values("id"))
    limits: dict[int, dict[str, float]] = {}
    for account_id, seats, entitlements in subs.order_by().values_list("account_id", "seats", "entitlements"):
        target = limits.setdefault(account_id, {})
        if seats:
            target["seats"] = target.get("seats", 0.0) + float(seats)
        for key, value in (entitlements or {}).items():
            if isinstance(value, int | float) and not isinstance(value, bool) and value > 0 and key != "seats":
                target[key] = target.get(key, 0.0) + float(value)
    limits = {k: v for k, v in limits.items() if v}
    if not limits:
        return []
    rollup = AccountDailyUsage._meta.db_table
    with_features = sorted(k for k, v in limits.items() if set(v) - {"seats"})
    with_seats = sorted(k for k, v in limits.items() if "seats" in v)
    used: dict[tuple[int, str], float] = {}
    if with_features:
        ids_sql, ids_params = _ids_filter("r.account_id", with_features)
        for row in _rows(
            f"""
            SELECT r.account_id AS account_id, j.key AS what, SUM(CAST(j.value AS {_numeric()})) AS used
            FROM {rollup} r, {_json_keys("r.features")}
            WHERE {ids_sql} AND r.day >= %s AND r.day < %s
            GROUP BY r.account_id, j.key
            """,
            [*ids_params, _d(w0), _d(w1)],
        ):
            used[(row["account_id"], row["what"])] = float(row["used"] or 0)
    if with_seats:
        ids_sql, ids_params = _ids_filter("r.account_id", with_seats)
        for row in _rows(
            f"""
            SELECT r.account_id AS account_id, COUNT(DISTINCT j.value) AS used
            FROM {rollup} r, {_json_elements("r.contact_ids")}
            WHERE {ids_sql} AND r.day >= %s AND r.day < %s
            GROUP BY r.account_id
            """,
            [*ids_params, _d(w0), _d(w1)],
        ):
            used[(row["account_id"], "seats")] = float(row["used"] or 0)
    hits = [
        (account_id, what, used[(account_id, what)], cap)
        for account_id, account_limits in limits.items()
        for what, cap in account_limits.items()
        if used.get((account_id, what), 0.0) >= threshold * cap
    ]
    if not hits:
        return []
    about = {
        pk: (name, owner_id)
        for pk, name, owner_id in Account.objects.filter(pk__in={h[0] for h in hits}).values_list(
            "pk", "name", "owner_id"
        )
    }
    out = [
        {
            "account_id": account_id,
            "account_name": about.get(account_id, ("", None))[0],
            "owner_id": about.get(account_id, ("", None))[1],
            "what": what,
            "used": used_value,
            "limit": cap,
            "ratio": round(used_value / cap, 4),
        }
        for account_id, what, used_value, cap in hits
    ]
    out.sort(key=lambda r: (-r["ratio"], r["account_name"], r["what"]))
    return out if limit is None else out[:limit]


def _numeric() -> str:
    return "REAL" if connection.vendor == "sqlite" else "numeric"


# Section: CS ROI


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
