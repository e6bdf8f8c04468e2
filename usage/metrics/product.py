"""Product usage and feature adoption, from the daily rollups (usage.rollups' AccountDailyUsage)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from django.db.models import QuerySet

from accounts.models import Subscription

from ..models import AccountDailyUsage
from ..sql.dialect import json_elements as _json_elements
from ..sql.dialect import json_keys as _json_keys
from .components import _revenue_components
from .revenue import _ratio
from .slices import _d, _group_sql, _key, _rows, _slice_sql, _validate_period

USAGE_WINDOW_DAYS = 30

WEEK_DAYS = 7


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
