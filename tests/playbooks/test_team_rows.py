"""The team page's overdue rows written in Python (playbooks.team_rows) read as the template loop
they replaced: the same markup, text and escaping, in each language of the site."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from playbooks.choices import Priority
from playbooks.team_rows import team_overdue_rows
from tests.factories import AccountFactory, UserFactory
from tests.html_tokens import html_tokens as _tokens

# The template loop as it was before playbooks.team_rows (the reference).
TEMPLATE = """{% load i18n playbooks_tags humanize %}{% translate "unassigned" as unassigned_label %}
{% for t in overdue %}
  <tr><td><a href="{% url 'playbooks:task_detail' t.pk %}" dir="auto">{{ t.title }}</a></td>
    <td><a href="{% url 'accounts:detail' t.account_id %}" dir="auto">{{ t.account.name }}</a><div class="muted">{% blocktranslate with arr=t.account.arr|floatformat:0|intcomma %}ARR {{ arr }}{% endblocktranslate %}</div></td>
    <td class="muted" style="max-width:360px">{{ t|reason|truncatechars:120 }}</td>
    <td>{{ t.assignee|default:unassigned_label }}</td><td><span class="due-late">{{ t.due_date|due_label }}</span></td>
    <td><span class="badge {{ t.priority|priority_class }}">{{ t.get_priority_display }}</span></td></tr>
{% endfor %}"""  # noqa: E501 - the template as it was


def _task(pk, account, assignee, days_late, priority, title, why=""):
    label = dict(Priority.choices)[priority]
    return SimpleNamespace(
        pk=pk,
        account=account,
        account_id=account.pk,
        assignee=assignee,
        due_date=timezone.now().date() - timedelta(days=days_late),
        priority=priority,
        title=title,
        reason=why,
        reason_data=None,
        get_priority_display=lambda: label,
    )


def _tasks() -> list:
    big = AccountFactory.build(pk=21, name='Tom & "Jerry" <Co>', mrr=Decimal("123456.78"))
    small = AccountFactory.build(pk=22, name="Small", mrr=Decimal("0"))
    ana = UserFactory.build(pk=5, first_name="Ana", last_name="Lopes")
    return [
        _task(1, big, ana, 1, Priority.URGENT, "Call <them>", "x" * 200),
        _task(2, small, None, 3, Priority.LOW, "Send the deck"),
        _task(3, big, ana, 30, Priority.HIGH, "Renewal & pricing", "Because & why"),
    ]


@pytest.mark.parametrize("language", ["en", "ar", "fa", "zh-hans"])
def test_rows_read_as_the_template_did(language):
    # given overdue tasks covering each branch (unassigned, long reason, no ARR, markup in the data)
    tasks = _tasks()
    with translation.override(language):
        # when the rows are written by the template loop and by team_overdue_rows
        expected = Template(TEMPLATE).render(Context({"overdue": tasks}))
        written = team_overdue_rows(tasks)
    # then the reader gets the same tags, attributes and text
    assert _tokens(written) == _tokens(expected)
    assert "&lt;them&gt;" in written
