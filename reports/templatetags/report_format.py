"""Formatting for report numbers: None (no data) is shown as an em dash, never as 0."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

from core.formats import format_number, format_percent, format_signed

register = template.Library()

DASH = "—"
# Metrics that get better as they go down; their change is green when it is negative. CES is not one:
# the product asks "How easy was it…" from 1 (very difficult) to 7 (very easy), so a higher CES is better.
LOWER_IS_BETTER = frozenset({"logo_churn_rate", "avg_first_response_hours", "crc"})


@register.filter
def pct(value, digits: int = 1) -> str:
    """A fraction as a percentage in the reader's locale and digits (core.formats)."""
    return format_percent(value, int(digits))


@register.filter
def money(value) -> str:
    return format_number(value, 0)


@register.filter
def num(value, digits: int = 1) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return format_number(value, 0)
    return format_number(value, int(digits))


@register.simple_tag
def fmt(value, kind: str) -> str:
    if kind == "pct":
        return pct(value)
    if kind == "money":
        return money(value)
    if kind == "nps":
        return num(value, 0)  # a whole number from -100 to 100, as CS tools show it
    return num(value)


@register.simple_tag
def delta(value, prev, kind: str, key: str = ""):
    """The change against the previous period, coloured good / bad."""
    if value is None or prev is None:
        return format_html('<span class="muted">{}</span>', gettext("no comparison"))
    diff = float(value) - float(prev)
    if kind == "pct":
        text = gettext("%(change)s pts") % {"change": format_signed(diff * 100, 1)}  # percentage points
    elif kind in ("money", "nps"):
        text = format_signed(diff, 0)
    else:
        text = format_signed(diff, 1)
    if abs(diff) < 1e-9:
        css = "muted"
    else:
        good = diff < 0 if key in LOWER_IS_BETTER else diff > 0
        css = "delta up" if good else "delta down"
    return format_html('<span class="{}">{}</span>', css, text)


@register.filter
def heat(value) -> str:
    """Background for a retention cell: red (low) through yellow to green (100 % and more)."""
    if value is None:
        return ""
    v = max(0.0, min(float(value), 1.0))
    hue = int(120 * v)  # 0 = red, 120 = green
    return f"background: hsl({hue} 70% {92 - 22 * v:.0f}%);"


@register.filter
def get(mapping, key):
    """`mapping|get:key` for dict lookups with a variable key (None when missing)."""
    if not mapping:
        return None
    return mapping.get(key)


@register.simple_tag
def scorecard_rows(rows, columns):
    """The scorecards' <tr> rows, written in Python (reports.scorecard_table)."""
    from ..scorecard_table import scorecard_rows_html

    return scorecard_rows_html(rows, columns)
