"""The inbox at scale: each group's first page, "Show more" for the next ones (htmx, keyset
after the last row shown), the light row's links, and the reassign form loaded on demand."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.choices import Role
from playbooks.choices import TaskStatus
from playbooks.selectors import INBOX_PAGE, inbox_for, inbox_group_page
from tests.factories import AccountFactory, UserFactory
from tests.factories.playbooks import TaskFactory
from tests.queries import session_queries

pytestmark = pytest.mark.django_db
TODAY = timezone.now().date()


def _row_ids(body: str) -> list[int]:
    return [int(i) for i in re.findall(r'<div class="task-row[^"]*" id="task-(\d+)"', body)]


def _more_url(body: str, key: str) -> str | None:
    found = re.search(rf'<div class="show-more" id="more-{key}">\s*<button[^>]* hx-get="([^"]+)"', body)
    return found.group(1).replace("&amp;", "&") if found else None


def _overdue_book(csm, n=60):
    account = AccountFactory(owner=csm)
    return [
        TaskFactory(account=account, title=f"Late {i}", due_date=TODAY - timedelta(1 + i % 9), priority=1 + i % 4)
        for i in range(n)
    ]


def test_show_more_walks_a_group_to_its_end_in_priority_order(csm_client, csm_user, htmx_headers):
    # given: 60 overdue tasks of mixed priorities and due dates
    tasks = _overdue_book(csm_user)
    expected = [t.pk for t in sorted(tasks, key=lambda t: (-t.priority, t.due_date, t.pk))]
    # when: the page, then "Show more" until there is no more
    body = csm_client.get(reverse("playbooks:inbox")).content.decode()
    seen = _row_ids(body)
    assert len(seen) == INBOX_PAGE
    assert f"{60 - INBOX_PAGE} more not shown" in body
    url = _more_url(body, "overdue")
    pages = 0
    while url:
        response = csm_client.get(url, **htmx_headers)
        assert response.status_code == 200 and b"<html" not in response.content
        part = response.content.decode()
        seen += _row_ids(part)
        url = _more_url(part, "overdue")
        pages += 1
    # then: every task once, in the inbox's order, in 60 / 25 -> 3 pages
    assert seen == expected
    assert pages == 2


def test_show_more_keeps_the_filters_and_the_assignee(client, manager_user, csm_user, htmx_headers):
    # given: a manager looking at a CSM's inbox, filtered by priority
    account = AccountFactory(owner=csm_user)
    for i in range(40):
        TaskFactory(account=account, title=f"Urgent {i}", priority=4, due_date=TODAY - timedelta(1))
        TaskFactory(account=account, title=f"Low {i}", priority=1, due_date=TODAY - timedelta(1))
    client.force_login(manager_user)
    body = client.get(reverse("playbooks:inbox"), {"assignee": csm_user.pk, "priority": "4"}).content.decode()
    url = _more_url(body, "overdue")
    assert f"assignee={csm_user.pk}" in url and "priority=4" in url
    # when
    part = client.get(url, **htmx_headers).content.decode()
    # then: the other 15 urgent ones, none of the low ones, and no further page
    assert len(_row_ids(part)) == 15 and "Low " not in part and "Urgent " in part
    assert _more_url(part, "overdue") is None


def test_show_more_after_the_last_row_was_completed(csm_user):
    # given: the first page, whose last row is then completed
    tasks = _overdue_book(csm_user, n=30)
    first = inbox_for(assignee_id=csm_user.pk).overdue
    TaskFactory._meta.model.objects.filter(pk=first[-1].pk).update(status=TaskStatus.DONE)
    # when
    page = inbox_group_page(assignee_id=csm_user.pk, key="overdue", after_id=first[-1].pk)
    # then: the rest, none skipped and none twice
    assert [t.pk for t in page.tasks] == [t.pk for t in sorted(tasks, key=lambda t: (-t.priority, t.due_date, t.pk))][
        INBOX_PAGE:
    ]
    assert page.count == 5 and page.more == 0


def test_show_more_for_snoozed_tasks(csm_user):
    account = AccountFactory(owner=csm_user)
    tasks = [
        TaskFactory(account=account, status=TaskStatus.SNOOZED, snoozed_until=TODAY + timedelta(1 + i % 5))
        for i in range(INBOX_PAGE + 3)
    ]
    first = inbox_for(assignee_id=csm_user.pk).snoozed
    page = inbox_group_page(assignee_id=csm_user.pk, key="snoozed", after_id=first[-1].pk)
    order = [t.pk for t in sorted(tasks, key=lambda t: (t.snoozed_until, t.pk))]
    assert [t.pk for t in first] + [t.pk for t in page.tasks] == order


def test_show_more_answers_in_a_constant_number_of_queries(
    csm_client, csm_user, htmx_headers, django_assert_num_queries
):
    tasks = sorted(_overdue_book(csm_user, n=80), key=lambda t: (-t.priority, t.due_date, t.pk))
    inbox = reverse("playbooks:inbox")
    # session (unless read from Redis: core.sessions), user, the last row, the page, the count (no
    # nav badge: it is lazy and a partial draws no sidebar)
    session = session_queries()  # none when the session is read from Redis
    with django_assert_num_queries(4 + session):
        assert csm_client.get(inbox + f"?group=overdue&after={tasks[0].pk}", **htmx_headers).status_code == 200
    # the group's last rows (fewer than a page): they are the count, no count query
    with django_assert_num_queries(3 + session):
        assert csm_client.get(inbox + f"?group=overdue&after={tasks[-10].pk}", **htmx_headers).status_code == 200


def test_unknown_group_is_not_found(csm_client, htmx_headers):
    assert (
        csm_client.get(reverse("playbooks:inbox"), {"group": "later", "after": "1"}, **htmx_headers).status_code == 404
    )


def test_row_links_are_the_named_urls(csm_client, csm_user):
    task = TaskFactory(account=AccountFactory(owner=csm_user))
    body = csm_client.get(reverse("playbooks:inbox")).content.decode()
    for name in ("task_detail",):
        assert f'href="{reverse(f"playbooks:{name}", args=[task.pk])}"' in body
    for name in ("task_complete", "task_snooze"):
        assert f'hx-post="{reverse(f"playbooks:{name}", args=[task.pk])}"' in body
    assert f'hx-get="{reverse("playbooks:task_reassign", args=[task.pk])}"' in body
    assert f'href="{reverse("accounts:detail", args=[task.account_id])}"' in body


def test_reassign_form_loads_on_demand(client, csm_user, readonly_user, htmx_headers):
    # given: a task and the people it can move to
    task = TaskFactory(account=AccountFactory(owner=csm_user), assignee=csm_user)
    other = UserFactory(role=Role.CSM, first_name="Olga", last_name="Other")
    url = reverse("playbooks:task_reassign", args=[task.pk])
    client.force_login(csm_user)
    # when: the row asks for its reassign form
    response = client.get(url, **htmx_headers)
    # then: a select of the workers, the current assignee chosen, posting to the reassign URL
    body = response.content.decode()
    assert response.status_code == 200 and "Olga Other" in body
    assert f'<option value="{csm_user.pk}" selected>' in body and f'hx-post="{url}"' in body
    # the inbox itself no longer lists every worker in every row
    assert "Olga Other" not in client.get(reverse("playbooks:inbox")).content.decode().split('id="inbox-groups"')[1]
    # without htmx: the task's page, which has the form
    assert client.get(url).url == reverse("playbooks:task_detail", args=[task.pk])
    # only reassign has a form to load; read-only users get none
    assert client.get(reverse("playbooks:task_complete", args=[task.pk]), **htmx_headers).status_code == 405
    client.force_login(readonly_user)
    assert client.get(url, **htmx_headers).status_code == 403
    assert other.pk


def test_row_action_answers_the_light_row(csm_client, csm_user, htmx_headers):
    task = TaskFactory(account=AccountFactory(owner=csm_user))
    csm_client.get(reverse("playbooks:inbox"))  # the inbox holds the rows' forms
    response = csm_client.post(
        reverse("playbooks:task_snooze", args=[task.pk]), {"days": "3", "outcome_note": ""}, **htmx_headers
    )
    body = response.content.decode()
    assert response.status_code == 200 and f'id="task-{task.pk}"' in body
    assert "Snoozed until" in body
