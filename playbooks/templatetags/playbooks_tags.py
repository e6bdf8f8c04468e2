"""Small helpers for the task templates: priority badges, due labels, links to the account."""

from datetime import date

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext

from playbooks.choices import Priority

register = template.Library()

PRIORITY_CLASS = {1: "", 2: "blue", 3: "yellow", 4: "red"}
# The account 360 page belongs to accounts; its name is looked up, so this works before and after it lands.
ACCOUNT_URL_NAMES = ("accounts:detail", "accounts:account_detail")


@register.filter
def priority_class(value: int) -> str:
    return PRIORITY_CLASS.get(int(value or 0), "")


@register.filter
def priority_badge(value: int) -> str:
    """The priority as a badge, in one filter call (the inbox renders it in every row)."""
    value = int(value or 0)
    label = Priority(value).label if value in Priority.values else ""
    return format_html('<span class="badge {}">{}</span>', PRIORITY_CLASS.get(value, ""), label)


@register.filter
def account_url(account) -> str:
    pk = getattr(account, "pk", account)
    for name in ACCOUNT_URL_NAMES:
        try:
            return reverse(name, args=[pk])
        except NoReverseMatch:
            continue
    return ""


@register.filter
def due_label(day: date, today: date | None = None) -> str:
    """ "today", "tomorrow", "3 days overdue", "in 4 days" or the date; pass `today` when
    rendering many rows (one clock read for the page)."""
    if day is None:
        return ""
    delta = (day - (today or timezone.now().date())).days
    if delta == 0:
        return gettext("today")
    if delta == 1:
        return gettext("tomorrow")
    if delta < 0:
        return ngettext("%(n)s day overdue", "%(n)s days overdue", -delta) % {"n": -delta}
    if delta < 7:
        return ngettext("in %(n)s day", "in %(n)s days", delta) % {"n": delta}
    return date_format(day, "d M")  # the month's name in the page's language


@register.filter
def band_of(account) -> str:
    return getattr(account, "health_band", "") or "none"


@register.filter
def reason(item) -> str:
    """Why a task, an enrolment or a preview row exists, in the reader's language
    (playbooks.reasons); the stored English when it has no data."""
    from playbooks.reasons import reason_text

    return reason_text(getattr(item, "reason", "") or "", getattr(item, "reason_data", None))
