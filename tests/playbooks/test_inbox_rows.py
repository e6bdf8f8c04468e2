"""The task inbox's rows written in Python (playbooks.inbox_rows) read as the template loop they
replaced: the same markup, text and escaping, in each language of the site, for the inbox's
groups and for one row after a row action (its error, its outcome note)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from accounts.models import Account
from core.models import User
from playbooks.choices import Priority, TaskStatus
from playbooks.inbox_rows import inbox_rows_html
from playbooks.models import Playbook, Task
from tests.html_tokens import html_tokens as _tokens

# The template loop as it was before playbooks.inbox_rows (the reference).
TEMPLATE = """{% load i18n playbooks_tags humanize %}
{% for task in tasks %}{% with pk=task.pk|stringformat:"d" a=task.account %}
<div class="task-row{% if not task.is_open %} done{% endif %}" id="task-{{ pk }}">
  <div>{% if can_edit and task.is_open %}<input type="checkbox" name="task_ids" value="{{ pk }}" form="bulk-form" aria-label="{% blocktranslate with title=task.title %}Select {{ title }}{% endblocktranslate %}">{% endif %}</div>
  <div>
    <a class="title" href="{{ tasks_url }}{{ pk }}/" dir="auto">{{ task.title }}</a>
    <div class="meta">
      {{ task.priority|priority_badge }}
      {% if task.status == 'done' %}<span class="badge green">{% translate "Done" %}</span>
      {% elif task.status == 'cancelled' %}<span class="badge">{% translate "Cancelled" %}</span>
      {% elif task.status == 'snoozed' %}<span class="badge">{% blocktranslate with day=task.snoozed_until|date:"d M" %}Snoozed until {{ day }}{% endblocktranslate %}</span>
      {% elif task.due_date < today %}<span class="due-late">{{ task.due_date|due_label:today }}</span>{% else %}<span>{% blocktranslate with day=task.due_date|due_label:today %}Due {{ day }}{% endblocktranslate %}</span>{% endif %}
      {% if task.playbook %}<span title="{% translate 'Playbook' %}">{% blocktranslate with name=task.playbook.name %}via {{ name }}{% endblocktranslate %}</span>{% endif %}
      {% if not task.assignee_id %}<span class="badge yellow">{% translate "Unassigned" %}</span>{% elif task.assignee_id != user.pk %}<span>{% blocktranslate with name=task.assignee %}for {{ name }}{% endblocktranslate %}</span>{% endif %}
    </div>
    {% if task.reason %}<div class="reason"><svg><use href="#i-zap"/></svg><span><b>{% translate "Why:" %}</b> {{ task|reason }}</span></div>{% endif %}
    {% if error %}<div class="error" role="alert">{{ error }}</div>{% endif %}
    {% if just_changed == 'complete' %}<div class="meta">{% blocktranslate with note=task.outcome_note %}Outcome on the account's timeline: “{{ note }}”{% endblocktranslate %}</div>{% endif %}
  </div>
  <div class="ctx">
    <b><a href="{{ accounts_url }}{{ task.account_id|stringformat:"d" }}/" dir="auto">{{ a.name }}</a></b>
    <span>{% blocktranslate with arr=a.arr|floatformat:0|intcomma currency=a.currency %}ARR {{ arr }} {{ currency }}{% endblocktranslate %} · {{ a.get_tier_display }}</span>
    <span class="health"><span class="pill {{ a.health_band|default:'none' }}">{{ a.health_score|default_if_none:"–" }}</span>{% if a.health_change_7d %} <span class="{% if a.health_change_7d < 0 %}trend-down{% else %}trend-up{% endif %}">{% blocktranslate with change=a.health_change_7d|stringformat:"+d" %}{{ change }} 7d{% endblocktranslate %}</span>{% endif %}</span>
    <span>{% if a.renewal_date %}{% blocktranslate with day=a.renewal_date|date:"d M Y" %}Renews {{ day }}{% endblocktranslate %}{% else %}{% translate "No renewal date" %}{% endif %}</span>
  </div>
  <div class="ops">
    {% if can_edit and task.is_open %}
    <form class="row-ops" method="post" action="{{ tasks_url }}{{ pk }}/complete/" hx-target="#task-{{ pk }}" hx-swap="outerHTML" hx-include="{{ view_include }}">{% csrf_token %}
      <div class="op"><input type="text" name="outcome_note" placeholder="{% translate 'Outcome note…' %}" required aria-label="{% translate 'Outcome note' %}"><button class="btn sm primary" title="{% translate 'Complete' %}" hx-post="{{ tasks_url }}{{ pk }}/complete/" hx-validate="true">{% translate "Done" %}</button></div>
      <div class="op"><select name="days" aria-label="{% translate 'Snooze for' %}"><option value="1">{% translate "Tomorrow" %}</option><option value="3">{% translate "3 days" %}</option><option value="7">{% translate "A week" %}</option><option value="14">{% translate "Two weeks" %}</option></select><button class="btn sm" formaction="{{ tasks_url }}{{ pk }}/snooze/" formnovalidate hx-post="{{ tasks_url }}{{ pk }}/snooze/">{% translate "Snooze" %}</button></div>
    </form>
    <a class="btn sm move" href="{{ tasks_url }}{{ pk }}/" hx-get="{{ tasks_url }}{{ pk }}/reassign/" hx-target="this" hx-swap="outerHTML">{% translate "Move to…" %}</a>
    {% endif %}
  </div>
</div>
{% endwith %}{% endfor %}"""  # noqa: E501 - the template as it was

TODAY = date(2026, 12, 7)
TASKS_URL = "/tasks/"
ACCOUNTS_URL = "/accounts/"
VIEW_INCLUDE = "#inbox-filters [name='q'], #inbox-filters [name='priority'], #inbox-view-assignee"
CSRF = '<input type="hidden" name="csrfmiddlewaretoken" value="tok&amp;en">'


def _tasks() -> list[Task]:
    big = Account(
        pk=21,
        name='Tom & "Jerry" <Co>',
        mrr=Decimal("123456.78"),
        currency="EUR",
        tier="strategic",
        health_score=42,
        health_band="red",
        health_change_7d=-12,
        renewal_date=TODAY + timedelta(days=40),
    )
    small = Account(pk=22, name="Small", mrr=Decimal("0"), currency="USD", tier="key", health_score=None)
    rising = Account(pk=23, name="Rising", mrr=Decimal("999.5"), tier="tech_touch", health_score=0, health_change_7d=3)
    me = User(pk=5, username="me", first_name="Ana", last_name="Lopes")
    other = User(pk=6, username="bo", first_name="Bo <b>", last_name="")
    book = Playbook(pk=3, name="Save <the> account")

    def task(pk, account, **fields) -> Task:
        fields.setdefault("priority", Priority.NORMAL)
        fields.setdefault("due_date", TODAY)
        fields.setdefault("status", TaskStatus.OPEN)
        return Task(pk=pk, account=account, **fields)

    return [
        task(
            1,
            big,
            title="Call <them>",
            assignee=me,
            priority=Priority.URGENT,
            due_date=TODAY - timedelta(days=3),
            reason="Health fell & more",
            playbook=book,
        ),
        task(2, small, title="Send the deck", assignee=None, priority=Priority.LOW, due_date=TODAY + timedelta(days=1)),
        task(
            3,
            big,
            title="Renewal & pricing",
            assignee=other,
            priority=Priority.HIGH,
            due_date=TODAY + timedelta(days=30),
        ),
        task(
            4,
            rising,
            title="Snoozed one",
            assignee=me,
            status=TaskStatus.SNOOZED,
            snoozed_until=TODAY + timedelta(days=5),
            due_date=TODAY - timedelta(days=1),
        ),
        task(
            5,
            rising,
            title="Done \u201cit\u201d",
            assignee=me,
            status=TaskStatus.DONE,
            outcome_note="Said <yes> & 'ok'",
        ),
        task(
            6, small, title="Cancelled", assignee=other, status=TaskStatus.CANCELLED, due_date=TODAY + timedelta(days=3)
        ),
        task(7, rising, title="Today", assignee=me, priority=Priority.HIGH),
    ]


def _both(tasks, *, can_edit=True, error=None, just_changed=""):
    me = User(pk=5, username="me")
    context = {
        "tasks": tasks,
        "today": TODAY,
        "can_edit": can_edit,
        "user": me,
        "tasks_url": TASKS_URL,
        "accounts_url": ACCOUNTS_URL,
        "view_include": VIEW_INCLUDE,
        "csrf_token": "tok&en",
        "error": error,
        "just_changed": just_changed,
    }
    expected = Template(TEMPLATE).render(Context(context))
    written = inbox_rows_html(
        tasks,
        today=TODAY,
        can_edit=can_edit,
        user_pk=me.pk,
        tasks_url=TASKS_URL,
        accounts_url=ACCOUNTS_URL,
        view_include=VIEW_INCLUDE,
        csrf_input=CSRF,
        error=error,
        just_changed=just_changed,
    )
    return expected, written


@pytest.mark.parametrize("language", ["en", "ar", "fa", "zh-hans"])
@pytest.mark.parametrize("can_edit", [True, False])
def test_rows_read_as_the_template_did(language, can_edit):
    # given tasks covering each branch (late, due, snoozed, done, cancelled, unassigned, someone
    # else's, a playbook, a reason, no health, a health change either way, markup in the data)
    tasks = _tasks()
    with translation.override(language):
        # when the rows are written by the template loop and by inbox_rows_html
        expected, written = _both(tasks, can_edit=can_edit)
    # then the reader gets the same tags, attributes and text
    assert _tokens(written) == _tokens(expected)
    for escaped in ("Call &lt;them&gt;", "Tom &amp; &quot;Jerry&quot; &lt;Co&gt;", "Save &lt;the&gt;", "Bo &lt;b&gt;"):
        assert escaped in written
    assert ("task_ids" in written) is can_edit


@pytest.mark.parametrize("language", ["en", "ar", "fa", "zh-hans"])
@pytest.mark.parametrize(("error", "just_changed"), [("outcome_note: <required>", ""), (None, "complete")])
def test_a_row_after_an_action_reads_as_the_template_did(language, error, just_changed):
    # given the one row a row action answers with, refused or completed
    tasks = _tasks()[4:5] if just_changed else _tasks()[:1]
    with translation.override(language):
        expected, written = _both(tasks, error=error, just_changed=just_changed)
    # then it reads as the template's row did, with its error or its outcome note
    assert _tokens(written) == _tokens(expected)
    assert ('role="alert"' in written) is bool(error)
