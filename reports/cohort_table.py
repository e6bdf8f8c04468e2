"""The cohorts page's heatmap rows, written in Python (issues 22 and 23: the page's server CPU).

A cohort row is up to 12 cells, each a `{% blocktranslate %}` title with a date, a count and a
figure: ~170 translated titles a page as a template loop, a fifth of the page's CPU. Here a row is
a few f-strings, and what cells share (a month's date label, the title's message, a figure) is
looked up once per request. The markup, message ids and formatting are the template's
(tests/reports/test_cohort_table.py renders both and compares them).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from core.i18n_cache import TranslateOnce, value_html

from .templatetags.report_format import heat, money, pct

__all__ = ["cohort_rows"]


class _Texts(TranslateOnce):
    def __init__(self):
        super().__init__()
        self.cell_title = gettext("%(day)s: %(active)s active, MRR %(mrr)s")
        self.ttfv_title = gettext("%(reached)s of %(total)s reached first value")
        self.days = gettext("%(n)s d")


def _cell(c: dict | None, t: _Texts) -> str:
    if not c:
        return '<td class="cell na"></td>'
    value = c["value"]
    day = t.get(("day", c["day"]), lambda: value_html(date_filter(c["day"], "d M Y")))
    mrr = t.get(("mrr", c["mrr"]), lambda: value_html(money(c["mrr"])))
    title = t.cell_title % {"day": day, "active": value_html(c["active"]), "mrr": mrr}
    text = t.get(("pct", value), lambda: conditional_escape(pct(value, 0)))
    return f'<td class="cell" style="{conditional_escape(heat(value))}" title="{title}">{text}</td>'


def _row(r: dict, t: _Texts) -> str:
    ttfv = r.get("ttfv") or {}
    title = t.ttfv_title % {
        "reached": value_html(ttfv.get("reached") or 0),
        "total": value_html(ttfv.get("accounts") or 0),
    }
    median = ttfv.get("median_days")
    days = DASH if median is None else t.days % {"n": value_html(floatformat(median, "-1"))}
    cells = "".join(_cell(c, t) for c in r["cells"])
    return (
        f'<tr><td class="strong">{value_html(date_filter(r["cohort"], "M Y"))}</td>'
        f'<td class="num">{value_html(r["size"])}</td><td class="num">{value_html(money(r["start_mrr"]))}</td>'
        f'<td class="num" title="{title}">{days}</td>{cells}</tr>\n'
    )


DASH = "—"


def cohort_rows(rows: Iterable[dict]) -> SafeString:
    """The heatmap's <tr> rows (reports.views.CohortsView: each row with `ttfv` and `cells`)."""
    texts = _Texts()
    return mark_safe("".join(_row(r, texts) for r in rows))  # noqa: S308 - every value is escaped
