"""Revenue cohorts: accounts by the month of their first paid subscription, MRR kept per month after."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.db.models import QuerySet

from accounts.currency import base_currency
from accounts.models import Account, FxRate, Subscription

from ..sql.dialect import month_of as _month_of
from .revenue import _ratio, month_starts
from .slices import ZERO, _d, _group_sql, _money, _rows, _slice_sql


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
    # Money in the base currency: the cohort's base at its month's rates (the cohort month is the
    # first day's month), each grid day (a first of the month) at that month's rates; a missing
    # rate adds nothing (the page names it from accounts.currency.subscription_missing_rates).
    fx = FxRate._meta.db_table
    rate0 = f"(CASE WHEN s.currency = '{base_currency()}' THEN 1 ELSE r.rate END)"
    base = _rows(
        f"""{first_cte}
        SELECT f.cohort AS cohort{group_cols}, COUNT(DISTINCT f.account_id) AS size, SUM(s.mrr * {rate0}) AS mrr
        FROM f{group_join}
        JOIN {sub} s ON s.account_id = f.account_id AND s.is_trial = %s AND s.mrr > 0
             AND s.start_date <= f.first_day AND (s.end_date IS NULL OR s.end_date > f.first_day)
        LEFT JOIN {fx} r ON r.currency = s.currency AND r.month = f.cohort
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
                   COUNT(DISTINCT s.account_id) AS active, SUM(s.mrr * {rate0}) AS mrr
            FROM f{group_join}
            JOIN {sub} s ON s.account_id = f.account_id AND s.is_trial = %s AND s.mrr > 0
            JOIN ({day_rows}) m ON s.start_date <= m.day AND (s.end_date IS NULL OR s.end_date > m.day)
                 AND m.day > f.first_day
            LEFT JOIN {fx} r ON r.currency = s.currency AND r.month = m.day
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
