"""The scorecards' table rows, written in Python (issue 22: the page's server CPU).

A scorecard row is a label, the active accounts and seven cells, each a figure and its change
against the previous period: as a template loop that was an `{% include %}` of a cell template,
a `{% with %}` and two tags per cell, ~120 cells a page, and every figure went through the
locale-aware formatting of core.formats one by one. Here a row is a few f-strings and each
distinct figure is formatted once per request. The markup, escaping and formatting are the
template's (tests/reports/test_scorecard_table.py renders both and compares them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from .templatetags.report_format import delta, fmt, num

__all__ = ["scorecard_rows_html"]


class _Figures:
    """Each figure and each change written once per table (rows repeat many of them: zeros,
    empty cells, the same NPS)."""

    def __init__(self):
        self.memo: dict[tuple, str] = {}

    def figure(self, value: Any, kind: str) -> str:
        key = ("fmt", kind, type(value), value)
        text = self.memo.get(key)
        if text is None:
            text = self.memo[key] = conditional_escape(fmt(value, kind))
        return text

    def change(self, value: Any, prev: Any, kind: str, metric: str) -> str:
        key = ("delta", kind, metric, type(value), value, type(prev), prev)
        text = self.memo.get(key)
        if text is None:
            text = self.memo[key] = conditional_escape(delta(value, prev, kind, metric))
        return text


def _get(mapping: Any, key: str) -> Any:
    """`mapping|get:key` (report_format.get): None when the period has no row."""
    return mapping.get(key) if mapping else None


def _row(r: dict, columns: Sequence[tuple], figures: _Figures) -> str:
    now, prev = r.get("now"), r.get("prev")
    accounts = conditional_escape(num(_get(now, "accounts")))
    cells = "".join(
        f'<td class="num">{figures.figure(_get(now, key), kind)}'
        f'<span class="prev">{figures.change(_get(now, key), _get(prev, key), kind, key)}</span></td>'
        for key, _title, kind in columns
    )
    return (
        f'<tr><td class="strong" dir="auto">{conditional_escape(r["label"])}</td>'
        f'<td class="num">{accounts}</td>{cells}</tr>\n'
    )


def scorecard_rows_html(rows: Iterable[dict], columns: Sequence[tuple]) -> SafeString:
    """The table's <tr> rows (reports.views.ScorecardsView: rows with `label`, `now`, `prev`;
    `columns` as SCORE_COLUMNS: (metric key, title, kind))."""
    figures = _Figures()
    return mark_safe("".join(_row(r, columns, figures) for r in rows))  # noqa: S308 - every value is escaped
