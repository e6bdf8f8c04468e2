"""Usage figures for many periods in one pass over the daily rollups.

`usage.metrics.usage_components` and `feature_use_counts` answer one period [start, end)
with a few queries over that period's rollup rows; the reports' nightly pre-aggregate asks for
22 periods, and at 100,000 accounts each period cost ~10 s (the distinct contacts and the
distinct (account, feature) pairs, read out of the rollups' JSON). Here every period is answered
by three statements that read each rollup row once:

- each day carries a bitmask of the periods (or usage windows) containing it, passed in as a
  small (day, mask) table and joined on the day;
- per (account, contact) and per (account, feature) the masks of their days are OR-ed
  together, so "active in period i" is bit i, and a count per period is a sum of one bit;
- sums over days (contact days, accounts with events) join a (day, window) table instead.

The figures are exactly the single-period functions' (tests/usage/test_periods.py
compares them on both backends); the definitions are in their docstrings. The only vendor
difference is the OR aggregate: PostgreSQL's `bit_or`, and on SQLite (which has none) a MAX per
bit, OR-ed back together.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from django.db.models import QuerySet

from accounts.models import Subscription

from .metrics.product import USAGE_FIELDS, WEEK_DAYS, usage_rows, usage_window
from .metrics.slices import _d, _group_sql, _key, _rows, _slice_sql, _validate_period
from .models import AccountDailyUsage
from .sql.dialect import bit_or as _bit_or
from .sql.dialect import day_table as _day_table
from .sql.dialect import json_elements as _json_elements
from .sql.dialect import json_keys as _json_keys

__all__ = ["feature_use_counts_periods", "usage_components_periods"]

MASK_BITS = 62  # periods per statement: bits of a signed 64-bit integer, with room to spare

Period = tuple[date, date]


def _bit_sums(expr: str, bits: int, prefix: str) -> str:
    """`SUM((expr >> i) & 1) AS {prefix}{i}` for each bit: per period, the rows with its bit set."""
    return ", ".join(f"SUM(({expr} >> {i}) & 1) AS {prefix}{i}" for i in range(bits))


def _days(start: date, end: date):
    day = start
    while day < end:
        yield day
        day += timedelta(days=1)


def _batches(items: list):
    for i in range(0, len(items), MASK_BITS):
        yield items[i : i + MASK_BITS]


def _int(value) -> int:
    return int(value or 0)


# Section: contacts, contact days and accounts with usage, per usage window


def _window_contacts(windows: list[tuple[date, date, date]], accounts, group_by) -> dict[int, dict[tuple, dict]]:
    """Per window index: {group key: {"wau", "mau"}} (distinct contacts in the week / window)."""
    rollup = AccountDailyUsage._meta.db_table
    first, last = min(w[0] for w in windows), max(w[2] for w in windows)
    masks = []
    for day in _days(first, last):
        m = k = 0
        for i, (w0, week, w1) in enumerate(windows):
            if w0 <= day < w1:
                m |= 1 << i
                if day >= week:
                    k |= 1 << i
        if m:
            masks.append((day, m, k))
    if not masks:
        return {}
    table, table_params = _day_table(masks)
    slice_sql, slice_params = _slice_sql(accounts, "r.account_id")
    select, join, group = _group_sql(group_by, "c")
    n = len(windows)
    rows = _rows(
        f"""
        SELECT {select} {_bit_sums("c.m", n, "mau")}, {_bit_sums("c.k", n, "wau")}
        FROM (
            SELECT r.account_id, {_bit_or("dt.v1", n)} AS m, {_bit_or("dt.v2", n)} AS k
            FROM {rollup} r JOIN {table} ON dt.day = r.day, {_json_elements("r.contact_ids")}
            WHERE r.day >= %s AND r.day < %s{slice_sql}
            GROUP BY r.account_id, j.value
        ) c{join}{group}
        """,
        [*table_params, _d(first), _d(last), *slice_params],
    )
    out: dict[int, dict[tuple, dict]] = {}
    for row in rows:
        for i in range(n):
            out.setdefault(i, {})[_key(row, group_by)] = {"mau": _int(row[f"mau{i}"]), "wau": _int(row[f"wau{i}"])}
    return out


def _window_days(windows: list[tuple[date, date, date]], accounts, group_by) -> dict[int, dict[tuple, dict]]:
    """Per window index: {group key: {"contact_days", "usage_accounts"}} over days with events:
    contact days from per-(group, day) sums added up per window here, accounts with usage from
    per-account masks of their days with events (an index-only scan of (account, day, events))."""
    rollup = AccountDailyUsage._meta.db_table
    first, last = min(w[0] for w in windows), max(w[2] for w in windows)
    n = len(windows)
    slice_sql, slice_params = _slice_sql(accounts, "r.account_id")
    out: dict[int, dict[tuple, dict]] = {}
    select, join, group = _group_sql(group_by, "r")
    group = f"{group}, r.day" if group else " GROUP BY r.day"
    for row in _rows(
        f"""
        SELECT {select} r.day AS day, SUM(r.active_contacts) AS contact_days
        FROM {rollup} r{join}
        WHERE r.day >= %s AND r.day < %s AND r.events > 0{slice_sql}{group}
        """,
        [_d(first), _d(last), *slice_params],
    ):
        day = row["day"] if isinstance(row["day"], date) else date.fromisoformat(str(row["day"])[:10])
        for i, (w0, _, w1) in enumerate(windows):
            if w0 <= day < w1:
                target = out.setdefault(i, {}).setdefault(_key(row, group_by), {"contact_days": 0, "usage_accounts": 0})
                target["contact_days"] += _int(row["contact_days"])
    masks = []
    for day in _days(first, last):
        m = sum(1 << i for i, (w0, _, w1) in enumerate(windows) if w0 <= day < w1)
        if m:
            masks.append((day, m))
    table, table_params = _day_table(masks)
    select, join, group = _group_sql(group_by, "u")
    for row in _rows(
        f"""
        SELECT {select} {_bit_sums("u.m", n, "n")}
        FROM (
            SELECT r.account_id, {_bit_or("dt.v1", n)} AS m
            FROM {rollup} r JOIN {table} ON dt.day = r.day
            WHERE r.day >= %s AND r.day < %s AND r.events > 0{slice_sql}
            GROUP BY r.account_id
        ) u{join}{group}
        """,
        [*table_params, _d(first), _d(last), *slice_params],
    ):
        for i in range(n):
            if _int(row[f"n{i}"]):
                target = out.setdefault(i, {}).setdefault(_key(row, group_by), {"contact_days": 0, "usage_accounts": 0})
                target["usage_accounts"] = _int(row[f"n{i}"])
    return out


# Section: distinct (account, feature) per period, for accounts paying on the period's end


def _feature_counts(periods: list[Period], accounts, group_by) -> list[dict]:
    """One row per (group, feature) with `n{i}`: accounts paying on period i's end that used the
    feature in period i."""
    rollup = AccountDailyUsage._meta.db_table
    sub = Subscription._meta.db_table
    first, last = min(p[0] for p in periods), max(p[1] for p in periods)
    masks = []
    for day in _days(first, last):
        m = sum(1 << i for i, (start, end) in enumerate(periods) if start <= day < end)
        if m:
            masks.append((day, m))
    ends = [(end, 1 << i) for i, (_, end) in enumerate(periods)]
    if not masks:
        return []
    day_table, day_params = _day_table(masks)
    end_table, end_params = _day_table(ends, "et")
    slice_sql, slice_params = _slice_sql(accounts, "s.account_id")
    select, join, group = _group_sql(group_by, "f")
    group_cols = "".join(f", a.{field}" for field in group_by)
    n = len(periods)
    return _rows(
        f"""
        SELECT {select} f.feature AS feature, {_bit_sums("(f.m & p.m)", n, "n")}
        FROM (
            SELECT r.account_id, j.key AS feature, {_bit_or("dt.v1", n)} AS m
            FROM {rollup} r JOIN {day_table} ON dt.day = r.day, {_json_keys("r.features")}
            WHERE r.day >= %s AND r.day < %s
            GROUP BY r.account_id, j.key
        ) f
        JOIN (
            SELECT s.account_id, {_bit_or("et.v1", n)} AS m
            FROM {sub} s JOIN {end_table} ON s.start_date <= et.day AND (s.end_date IS NULL OR s.end_date > et.day)
            WHERE s.is_trial = %s AND s.mrr > 0{slice_sql}
            GROUP BY s.account_id
        ) p ON p.account_id = f.account_id{join}
        GROUP BY f.feature{group_cols}
        """,
        [*day_params, _d(first), _d(last), *end_params, False, *slice_params],
    )


def feature_use_counts_periods(
    *, periods: Sequence[Period], accounts: QuerySet | None = None, group_by: Sequence[str] = ()
) -> dict[Period, list[dict]]:
    """`usage.metrics.feature_use_counts` for each of `periods` (same rows, any order)."""
    group_by = tuple(group_by)
    periods = list(dict.fromkeys(periods))
    for start, end in periods:
        _validate_period(start, end)
    out: dict[Period, list[dict]] = {p: [] for p in periods}
    for batch in _batches(periods):
        for row in _feature_counts(batch, accounts, group_by):
            for i, period in enumerate(batch):
                n = _int(row[f"n{i}"])
                if n:
                    out[period].append({**{k: row[k] for k in group_by}, "feature": row["feature"], "accounts": n})
    return out


def usage_components_periods(
    *,
    periods: Sequence[Period],
    accounts: QuerySet | None = None,
    group_by: Sequence[str] = (),
    feature_counts: dict[Period, list[dict]] | None = None,
) -> dict[Period, list[dict]]:
    """`usage.metrics.usage_components` for each of `periods` (same rows, any order); periods
    sharing a usage window share its figures, computed once. `feature_counts`: this call's
    `feature_use_counts_periods(...)` when the caller has it already (not computed twice)."""
    group_by = tuple(group_by)
    periods = list(dict.fromkeys(periods))
    windows: dict[Period, tuple[date, date, date]] = {}
    for start, end in periods:
        w0, w1 = usage_window(start=start, end=end)
        windows[(start, end)] = (w0, max(w0, end - timedelta(days=WEEK_DAYS)), w1)
    distinct = list(dict.fromkeys(windows.values()))
    by_window: dict[tuple, dict[tuple, dict]] = {w: {} for w in distinct}
    for batch in _batches(distinct):
        for part in (_window_contacts(batch, accounts, group_by), _window_days(batch, accounts, group_by)):
            for i, groups in part.items():
                for key, values in groups.items():
                    by_window[batch[i]].setdefault(key, {}).update(values)
    features: dict[Period, dict[tuple, int]] = {p: {} for p in periods}
    if feature_counts is None:
        feature_counts = feature_use_counts_periods(periods=periods, accounts=accounts, group_by=group_by)
    for period, rows in feature_counts.items():
        if period not in features:
            continue
        for row in rows:
            key = _key(row, group_by)
            features[period][key] = features[period].get(key, 0) + row["accounts"]
    out: dict[Period, list[dict]] = {}
    for period in periods:
        w0, _, w1 = windows[period]
        merged: dict[tuple, dict] = {}
        for key, values in by_window[windows[period]].items():
            merged.setdefault(key, dict.fromkeys(USAGE_FIELDS, 0)).update(values)
        for key, n in features[period].items():
            merged.setdefault(key, dict.fromkeys(USAGE_FIELDS, 0))["feature_accounts"] = n
        out[period] = usage_rows(merged, group_by, window_days=(w1 - w0).days)
    return out
