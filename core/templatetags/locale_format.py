"""`{% load locale_format %}`: numbers, money, percentages and dates in the reader's locale,
digits and calendar (core.formats, docs/i18n.md). None is shown as an em dash.

    {{ account.mrr|fmt_money }}            $1,234 · ‏1,234 US$ · US$1,234
    {{ account.mrr|fmt_money:"EUR" }}      in that currency
    {{ total|fmt_money_short }}            $1.2M · 1.2 مليون US$ · US$123.5万
    {{ count|fmt_number }}  {{ x|fmt_number:1 }}   1,234 · ١٬٢٣٤ · 12.5
    {{ rate|fmt_percent }}  {{ rate|fmt_percent:0 }}   93.4% · ٩٣٫٤٪
    {{ day|fmt_date }}  {{ day|fmt_date:"short" }}  {{ day|fmt_date:"d MMM" }}   Dec 7, 2026 · ۱۶ آذر ۱۴۰۵
    {{ moment|fmt_datetime }}              in the reader's time zone
    {{ text|fmt_digits }}                  any text's digits in the reader's digits
"""

from django import template

from core import formats

register = template.Library()


@register.filter
def fmt_number(value, decimals=None):
    return formats.format_number(value, None if decimals in (None, "") else int(decimals))


@register.filter
def fmt_number_short(value):
    return formats.format_number(value, compact=True)


@register.filter
def fmt_signed(value, decimals=0):
    return formats.format_signed(value, int(decimals))


@register.filter
def fmt_money(value, currency=None):
    return formats.format_money(value, currency or None)


@register.filter
def fmt_money_short(value, currency=None):
    return formats.format_money(value, currency or None, compact=True)


@register.filter
def fmt_percent(value, decimals=1):
    return formats.format_percent(value, int(decimals))


@register.filter
def fmt_date(value, style="medium"):
    return formats.format_date(value, style or "medium")


@register.filter
def fmt_datetime(value, style="medium"):
    return formats.format_datetime(value, style or "medium")


@register.filter
def fmt_digits(value):
    if value is None:
        return ""
    return formats.localize_digits(str(value))
