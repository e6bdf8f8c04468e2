"""The team page's overdue table, written in Python (issues 22 and 23: the page's server CPU).

Each overdue task was a template row with two URL reversals, a `{% blocktranslate %}`, the reason
and due-date filters and ~30 variable look-ups: half the page's rendering. Here a row is one
f-string over the same filters (playbooks_tags: `reason`, `due_label`, `priority_class`), and what
rows share (an account's ARR text, a due date's label, a priority badge) is computed once per
request. The markup and message ids are the template's (tests/playbooks/test_team_rows.py renders
both and compares them).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat, truncatechars
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from core.i18n_cache import TranslateOnce, url_parts, value_html

from .templatetags.playbooks_tags import due_label, priority_class, reason

__all__ = ["team_overdue_rows"]


class _Texts(TranslateOnce):
    def __init__(self):
        super().__init__()
        self.task_url = url_parts("playbooks:task_detail")
        self.account_url = url_parts("accounts:detail")
        self.arr = gettext("ARR %(arr)s")
        self.unassigned = esc(gettext("unassigned"))


def _row(t: Any, x: _Texts) -> str:
    account = t.account
    arr = x.get(("arr", account.mrr), lambda: x.arr % {"arr": value_html(intcomma(floatformat(account.arr, 0)))})
    assignee = t.assignee
    who = x.get(("user", assignee.pk), lambda: esc(str(assignee))) if assignee else x.unassigned
    due = x.get(("due", t.due_date), lambda: esc(due_label(t.due_date)))
    priority = x.get(
        ("priority", t.priority),
        lambda: f'<span class="badge {esc(priority_class(t.priority))}">{esc(str(t.get_priority_display()))}</span>',
    )
    task_head, task_tail = x.task_url
    account_head, account_tail = x.account_url
    return (
        f'<tr><td><a href="{task_head}{t.pk}{task_tail}" dir="auto">{esc(t.title)}</a></td>'
        f'<td><a href="{account_head}{t.account_id}{account_tail}" dir="auto">{esc(account.name)}</a>'
        f'<div class="muted">{arr}</div></td>'
        f'<td class="muted" style="max-width:360px">{esc(truncatechars(reason(t), 120))}</td>'
        f'<td>{who}</td><td><span class="due-late">{due}</span></td>'
        f"<td>{priority}</td></tr>\n"
    )


def team_overdue_rows(tasks: Iterable[Any]) -> SafeString:
    """The overdue table's <tr> rows (playbooks.selectors.team_overdue_tasks: account and assignee loaded)."""
    texts = _Texts()
    return mark_safe("".join(_row(t, texts) for t in tasks))  # noqa: S308 - every value is escaped
