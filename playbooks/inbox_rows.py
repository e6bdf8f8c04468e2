"""The task inbox's rows, written in Python (issues 22 and 23: the inbox's server CPU).

Each row was a template loop body of ~25 `{% translate %}`/`{% blocktranslate %}` tags, six
filters and ~60 variable look-ups: half the page's CPU. Here a row is one f-string over the same
filters (playbooks_tags: `priority_badge`, `due_label`, `reason`), and what rows share (the
fixed texts and row actions, an account's ARR text, a due date's label, a priority badge) is
written once per render. The markup and message ids are the template's
(tests/playbooks/test_inbox_rows.py renders both and compares them in four languages).

Used by `{% inbox_rows %}` (playbooks/templatetags/inbox_rows.py) in the `rows` fragment of
templates/playbooks/task_inbox.html: the inbox's groups, "Show more" and a row after an action.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.utils.formats import localize
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from core.templatetags.i18n_fast import _catalogue

from .templatetags.playbooks_tags import due_label, priority_badge, reason

__all__ = ["inbox_rows_html"]

_CSRF = "\x00csrf\x00"  # where the request's CSRF input goes in the shared row actions


def _value(value: Any) -> str:
    """A value as `{{ value }}` writes it (localised, escaped)."""
    value = localize(value)
    return esc(value if isinstance(value, str) else str(value))


def _t(message: str) -> str:
    """`{% translate message %}`: the translation, escaped."""
    return esc(gettext(message))


class _Texts:
    """What every row of one render shares: fixed texts, the row actions' markup, and memos.
    The texts are built once per language and page URLs (`_texts()`); a render gets a copy with
    its own memos and its request's CSRF input."""

    def __init__(self, *, tasks_url: str, accounts_url: str, view_include: str):
        self.memo: dict[tuple, str] = {}
        self.tasks_url = esc(tasks_url)
        self.accounts_url = esc(accounts_url)
        self.select = gettext("Select %(title)s")
        self.snoozed_until = gettext("Snoozed until %(day)s")
        self.due = gettext("Due %(day)s")
        self.via = gettext("via %(name)s")
        self.for_name = gettext("for %(name)s")
        self.outcome = gettext("Outcome on the account's timeline: “%(note)s”")
        self.arr = gettext("ARR %(arr)s %(currency)s")
        self.change = gettext("%(change)s 7d")
        self.renews = gettext("Renews %(day)s")
        self.done = f'<span class="badge green">{_t("Done")}</span>'
        self.cancelled = f'<span class="badge">{_t("Cancelled")}</span>'
        self.playbook = _t("Playbook")
        self.unassigned = f'<span class="badge yellow">{_t("Unassigned")}</span>'
        self.why = _t("Why:")
        self.no_renewal = _t("No renewal date")
        view_include = esc(view_include)
        # The row actions, split where the task's id goes.
        self.ops = (
            f'<form class="row-ops" method="post" action="{self.tasks_url}{{pk}}/complete/" hx-target="#task-{{pk}}" '
            f'hx-swap="outerHTML" hx-include="{view_include}">{_CSRF}\n'
            f'      <div class="op"><input type="text" name="outcome_note" '
            f'placeholder="{_t("Outcome note…")}" required aria-label="{_t("Outcome note")}">'
            f'<button class="btn sm primary" title="{_t("Complete")}" '
            f'hx-post="{self.tasks_url}{{pk}}/complete/" hx-validate="true">{_t("Done")}</button></div>\n'
            f'      <div class="op"><select name="days" aria-label="{_t("Snooze for")}">'
            f'<option value="1">{_t("Tomorrow")}</option><option value="3">{_t("3 days")}</option>'
            f'<option value="7">{_t("A week")}</option>'
            f'<option value="14">{_t("Two weeks")}</option></select><button class="btn sm" '
            f'formaction="{self.tasks_url}{{pk}}/snooze/" formnovalidate hx-post="{self.tasks_url}{{pk}}/snooze/">'
            f"{_t('Snooze')}</button></div>\n"
            f"    </form>\n"
            f'    <a class="btn sm move" href="{self.tasks_url}{{pk}}/" hx-get="{self.tasks_url}{{pk}}/reassign/" '
            f'hx-target="this" hx-swap="outerHTML">{_t("Move to…")}</a>'
        ).split("{pk}")

    def for_render(self, csrf_input: str) -> _Texts:
        texts = copy.copy(self)
        texts.memo = {}
        texts.ops = [part.replace(_CSRF, csrf_input) for part in self.ops]
        return texts

    def get(self, key: tuple, make: Callable[[], str]) -> str:
        text = self.memo.get(key)
        if text is None:
            text = self.memo[key] = make()
        return text


# The shared texts by (language, page URLs), with the catalogue they were translated with.
_KEPT: dict[tuple, tuple[object, _Texts]] = {}


def _texts(*, tasks_url: str, accounts_url: str, view_include: str, csrf_input: str) -> _Texts:
    catalogue = _catalogue()
    if catalogue is None:  # translations deactivated: nothing is kept
        shared = _Texts(tasks_url=tasks_url, accounts_url=accounts_url, view_include=view_include)
        return shared.for_render(csrf_input)
    key = (catalogue.to_language(), tasks_url, accounts_url, view_include)
    kept = _KEPT.get(key)
    if kept is None or kept[0] is not catalogue:
        shared = _Texts(tasks_url=tasks_url, accounts_url=accounts_url, view_include=view_include)
        kept = _KEPT[key] = (catalogue, shared)
    return kept[1].for_render(csrf_input)


def _status(task: Any, today, x: _Texts) -> str:
    status = task.status
    if status == "done":
        return x.done
    if status == "cancelled":
        return x.cancelled
    if status == "snoozed":
        day = task.snoozed_until
        return x.get(
            ("snoozed", day),
            lambda: f'<span class="badge">{x.snoozed_until % {"day": esc(date_filter(day, "d M"))}}</span>',
        )
    day = task.due_date
    if day is not None and day < today:
        return x.get(("late", day), lambda: f'<span class="due-late">{esc(due_label(day, today))}</span>')
    return x.get(("due", day), lambda: f"<span>{x.due % {'day': esc(due_label(day, today))}}</span>")


def _account(a: Any, account_id: int, x: _Texts) -> str:
    def make() -> str:
        arr = x.arr % {"arr": _value(intcomma(floatformat(a.arr, 0))), "currency": _value(a.currency)}
        band = a.health_band or "none"
        score = a.health_score
        health = f'<span class="pill {esc(band)}">{"–" if score is None else _value(score)}</span>'
        change = a.health_change_7d
        if change:
            trend = "trend-down" if change < 0 else "trend-up"
            health += f' <span class="{trend}">{x.change % {"change": esc(f"{change:+d}")}}</span>'
        renewal = a.renewal_date
        renews = x.renews % {"day": esc(date_filter(renewal, "d M Y"))} if renewal else x.no_renewal
        return (
            f'<b><a href="{x.accounts_url}{account_id}/" dir="auto">{esc(a.name)}</a></b>\n'
            f"    <span>{arr} · {_value(a.get_tier_display())}</span>\n"
            f'    <span class="health">{health}</span>\n'
            f"    <span>{renews}</span>"
        )

    return x.get(("account", account_id), make)


def _row(task: Any, x: _Texts, *, today, can_edit: bool, user_pk, error, just_changed) -> str:
    pk = f"{task.pk:d}"
    is_open = task.is_open
    editable = can_edit and is_open
    title = esc(task.title)
    check = (
        f'<input type="checkbox" name="task_ids" value="{pk}" form="bulk-form" '
        f'aria-label="{x.select % {"title": title}}">'
        if editable
        else ""
    )
    priority = task.priority
    meta = [x.get(("priority", priority), lambda: str(priority_badge(priority))), _status(task, today, x)]
    playbook = task.playbook
    if playbook:
        meta.append(f'<span title="{x.playbook}">{x.via % {"name": esc(playbook.name)}}</span>')
    assignee_id = task.assignee_id
    if not assignee_id:
        meta.append(x.unassigned)
    elif assignee_id != user_pk:
        assignee = task.assignee
        meta.append(x.get(("for", assignee_id), lambda: f"<span>{x.for_name % {'name': esc(str(assignee))}}</span>"))
    extra = ""
    if task.reason:
        why = esc(reason(task))
        extra += f'\n    <div class="reason"><svg><use href="#i-zap"/></svg><span><b>{x.why}</b> {why}</span></div>'
    if error:
        extra += f'\n    <div class="error" role="alert">{esc(error)}</div>'
    if just_changed == "complete":
        extra += f'\n    <div class="meta">{x.outcome % {"note": esc(task.outcome_note)}}</div>'
    ops = f"\n    {pk.join(x.ops)}\n    " if editable else ""
    separator = "\n      "
    return (
        f'\n<div class="task-row{"" if is_open else " done"}" id="task-{pk}">\n'
        f"  <div>{check}</div>\n"
        f"  <div>\n"
        f'    <a class="title" href="{x.tasks_url}{pk}/" dir="auto">{title}</a>\n'
        f'    <div class="meta">\n      {separator.join(meta)}\n    </div>{extra}\n'
        f"  </div>\n"
        f'  <div class="ctx">\n    {_account(task.account, task.account_id, x)}\n  </div>\n'
        f'  <div class="ops">{ops}</div>\n'
        f"</div>\n"
    )


def inbox_rows_html(
    tasks: Iterable[Any],
    *,
    today,
    can_edit: bool,
    user_pk: int | None,
    tasks_url: str,
    accounts_url: str,
    view_include: str,
    csrf_input: str = "",
    error: str | None = None,
    just_changed: str = "",
) -> SafeString:
    """The inbox's task rows (playbooks.selectors.inbox_rows: account, playbook and assignee
    loaded). `csrf_input` is the `{% csrf_token %}` markup of the request, `error` and
    `just_changed` what a row action shows under its row."""
    texts = _texts(tasks_url=tasks_url, accounts_url=accounts_url, view_include=view_include, csrf_input=csrf_input)
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(
            _row(t, texts, today=today, can_edit=can_edit, user_pk=user_pk, error=error, just_changed=just_changed)
            for t in tasks
        )
    )
