"""Small presentation helpers for account pages: money, relative days, badges."""

from datetime import date

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from core.formats import format_money, format_number
from core.mentions import MENTION_RE

register = template.Library()

STAGE_COLOURS = {
    "trial": "blue",
    "onboarding": "brand",
    "adoption": "",
    "mature": "green",
    "renewal": "yellow",
    "at_risk": "red",
    "churned": "red",
}
TIER_COLOURS = {"strategic": "brand", "key": "blue", "standard": "", "tech_touch": ""}


@register.filter
def money(value, currency: str | None = None) -> str:
    """$1.2M, $84k, $950 (short, for dense tables) in the reader's locale and digits
    (core.formats: "1.2 مليون US$", "US$8.4万"); without a currency, the base currency."""
    return format_money(value, currency or None, compact=True)


@register.filter
def money_full(value, currency: str | None = None) -> str:
    """$1,234 / ‏1,234 US$ / US$1,234, in the reader's locale and digits (core.formats)."""
    return format_money(value, currency or None)


@register.filter
def days_from_today(value) -> int | None:
    if value is None:
        return None
    if not isinstance(value, date):
        return None
    day = value.date() if hasattr(value, "date") and callable(value.date) else value
    return (day - timezone.now().date()).days


@register.filter
def relative_days(days) -> str:
    """'today', 'in 5d', '12d ago' (short, for dense tables), in the reader's language and digits."""
    if days is None:
        return ""
    if days == 0:
        return gettext("today")
    count = abs(int(days))
    number = format_number(count, 0)
    if days > 0:
        return ngettext("in %(days)sd", "in %(days)sd", count) % {"days": number}
    return ngettext("%(days)sd ago", "%(days)sd ago", count) % {"days": number}


@register.filter
def stage_colour(stage: str) -> str:
    return STAGE_COLOURS.get(stage, "")


@register.filter
def tier_colour(tier: str) -> str:
    return TIER_COLOURS.get(tier, "")


@register.filter
def abs_value(value):
    return abs(value) if value is not None else value


@register.simple_tag(takes_context=True)
def query_with(context, **params) -> str:
    """The current query string with some parameters replaced (None drops one); page resets."""
    query = context["request"].GET.copy()
    query.pop("page", None)
    for key, value in params.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def with_mentions(activity) -> str:
    """A timeline entry's body, escaped, with each resolved `@username` (stored in its metadata by
    `activity_create`) linked to that team member's book in the portfolio."""
    body = activity.body or ""
    known = {m["username"]: m["id"] for m in (activity.metadata or {}).get("mentions", []) if "username" in m}
    if not known:
        return escape(body)
    portfolio = reverse("accounts:portfolio")
    parts, last = [], 0
    for match in MENTION_RE.finditer(body):
        user_id = known.get(match.group(1))
        if user_id is None:
            continue
        parts.append(escape(body[last : match.start()]))
        parts.append(f'<a class="mention" href="{portfolio}?owner={int(user_id)}">@{escape(match.group(1))}</a>')
        last = match.end()
    parts.append(escape(body[last:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped
