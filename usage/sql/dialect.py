"""The small SQL differences of the usage floor's set-based reads (metrics, periods, rollups):
each function returns a fragment (and its parameters), the portable (SQLite) form beside the
PostgreSQL one. The statements around them are the same on both."""

import json
from datetime import date

from core.db import is_postgresql

__all__ = [
    "bit_or",
    "date_plus",
    "day_table",
    "hours_between",
    "ids_filter",
    "json_elements",
    "json_keys",
    "month_of",
    "numeric",
]


def date_plus(column: str, days: int) -> str:
    """A date column plus N days."""
    if is_postgresql():
        return f"({column} + {int(days)})"
    return f"date({column}, '+{int(days)} days')"


def hours_between(later: str, earlier: str) -> str:
    """Hours from one timestamp to another."""
    if is_postgresql():
        return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 3600.0)"
    return f"((julianday({later}) - julianday({earlier})) * 24.0)"


def month_of(column: str) -> str:
    """The first day of a date's month."""
    if is_postgresql():
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def json_elements(column: str) -> str:
    """A FROM-clause item yielding one row per element of a JSON array column, as `j.value`."""
    if is_postgresql():
        return f"LATERAL jsonb_array_elements({column}) AS j(value)"
    return f"json_each({column}) AS j"


def json_keys(column: str) -> str:
    """One row per (key, value) of a JSON object column, as `j.key`, `j.value` (text)."""
    if is_postgresql():
        return f"LATERAL jsonb_each_text({column}) AS j(key, value)"
    return f"json_each({column}) AS j"


def ids_filter(column: str, ids: list[int]) -> tuple[str, list]:
    """`column` IN the given ids, as one parameter (no statement growing with the list)."""
    if is_postgresql():
        return f"{column} = ANY(%s)", [ids]
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(ids)]


def numeric() -> str:
    """The type to cast to for exact division."""
    return "numeric" if is_postgresql() else "REAL"


def bit_or(expr: str, bits: int) -> str:
    """OR of `expr` over a group (an aggregate)."""
    if is_postgresql():
        return f"bit_or({expr})"
    return " | ".join(f"(MAX(({expr} >> {i}) & 1) << {i})" for i in range(bits))


def day_table(rows: list[tuple[date, ...]], alias: str = "dt") -> tuple[str, list]:
    """A FROM-clause item `alias(day, v1, v2...)` of the given rows (a date, then integers)."""
    width = len(rows[0])
    names = ["day"] + [f"v{i}" for i in range(1, width)]
    if is_postgresql():
        types = ["date"] + ["bigint"] * (width - 1)
        unnest = ", ".join(f"%s::{t}[]" for t in types)
        columns = [[row[i] for row in rows] for i in range(width)]
        return f"unnest({unnest}) AS {alias}({', '.join(names)})", columns
    payload = json.dumps([[row[0].isoformat(), *row[1:]] for row in rows])
    cols = ", ".join(f"json_extract(value, '$[{i}]') AS {name}" for i, name in enumerate(names))
    return f"(SELECT {cols} FROM json_each(%s)) AS {alias}", [payload]
