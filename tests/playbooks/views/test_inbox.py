"""The inbox pages (playbooks/views/inbox.py): groups, counts, the htmx fragment, whose inbox, the sidebar badge."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.choices import Role
from playbooks.choices import TaskStatus
from tests.factories import AccountFactory, UserFactory
from tests.factories.playbooks import TaskFactory
from tests.queries import session_queries

pytestmark = pytest.mark.django_db
TODAY = timezone.now().date()


def test_inbox_groups_my_tasks_with_reason_and_context(csm_client, csm_user, django_assert_max_num_queries):
    # given
    account = AccountFactory(owner=csm_user, name="Acme", mrr=1000, health_score=41, health_band="red")
    TaskFactory(account=account, title="Late one", due_date=TODAY - timedelta(2))
    TaskFactory(account=account, title="Today one", due_date=TODAY)
    TaskFactory(account=account, title="Later one", due_date=TODAY + timedelta(5))
    TaskFactory(title="Someone else's")
    for _ in range(5):
        TaskFactory(account=AccountFactory(owner=csm_user), due_date=TODAY + timedelta(1))
    # when
    with django_assert_max_num_queries(12):
        response = csm_client.get(reverse("playbooks:inbox"))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("Late one") < body.index("Today one") < body.index("Later one")
    assert "Someone else" not in body
    assert "health fell from 72 to 41 in 7 days" in body
    assert "ARR 12,000" in body


def test_inbox_shows_exact_counts_and_the_first_rows_of_each_group(csm_client, csm_user):
    # given: more overdue tasks than a group shows, and a few due later
    account = AccountFactory(owner=csm_user)
    for i in range(55):
        TaskFactory(account=account, title=f"Old {i}", due_date=TODAY - timedelta(1 + i % 7), priority=1)
    TaskFactory(account=account, title="Urgent old", due_date=TODAY - timedelta(30), priority=3)
    TaskFactory(account=account, title="Today one", due_date=TODAY)
    TaskFactory(account=account, title="Later one", due_date=TODAY + timedelta(5))
    TaskFactory(
        account=account, title="Sleeping", status=TaskStatus.SNOOZED, snoozed_until=TODAY + timedelta(3), due_date=TODAY
    )
    # when
    body = csm_client.get(reverse("playbooks:inbox")).content.decode()
    # then: true numbers, the first 25 rows of a group (highest priority first) and a way to the
    # rest, later groups not starved
    assert "58 open · 56 overdue · 1 due today" in body
    assert "Show 25 more" in body and "31 more not shown" in body
    assert len(set(re.findall(r"Old \d+", body))) == 24
    assert body.index("Urgent old") < body.index("Old ")
    assert "Today one" in body and "Later one" in body and "Sleeping" in body


def test_inbox_htmx_gets_the_partial(csm_client, csm_user, htmx_headers):
    TaskFactory(account=AccountFactory(owner=csm_user), title="Find me")
    response = csm_client.get(reverse("playbooks:inbox"), {"q": "Find"}, **htmx_headers)
    assert response.status_code == 200
    assert b"<html" not in response.content and b"Find me" in response.content


def test_nav_badge_counts_my_open_tasks(csm_client, csm_user):
    TaskFactory(account=AccountFactory(owner=csm_user))
    TaskFactory(account=AccountFactory(owner=csm_user), status=TaskStatus.DONE)
    response = csm_client.get(reverse("playbooks:inbox"))
    nav = [i for items in response.context["nav_sections"].values() for i in items if i["label"] == "Tasks"]
    assert nav[0]["badge"] == 1


def test_manager_sees_a_team_members_inbox_csm_does_not(client, csm_user, manager_user):
    TaskFactory(account=AccountFactory(owner=csm_user), title="Task for Carl")
    client.force_login(manager_user)
    body = client.get(reverse("playbooks:inbox"), {"assignee": csm_user.pk}).content.decode()
    assert "Task for Carl" in body and "Carl Success tasks" in body
    other = UserFactory(role=Role.CSM)
    client.force_login(other)
    body = client.get(reverse("playbooks:inbox"), {"assignee": csm_user.pk}).content.decode()
    assert "Task for Carl" not in body


def test_htmx_partials_run_no_badge_query(csm_client, csm_user, htmx_headers, monkeypatch):
    """The sidebar's task count is queried for a full page only: the inbox's partials (filter,
    "Show more", a row's reassign form) draw no sidebar and run one query less than before (6 -> 5,
    6 -> 5, 5 -> 4); a "Show more" of the group's last rows needs no count query (5 -> 4 -> 3); the filtered groups
    do not read the emails awaiting approval (4 -> 3)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.navigation import NAV_BADGES
    from playbooks.selectors import nav_open_task_count

    # given
    calls = []
    monkeypatch.setitem(NAV_BADGES, "playbooks:inbox", lambda request: calls.append(1) or nav_open_task_count(request))
    tasks = [TaskFactory(account=AccountFactory(owner=csm_user)) for _ in range(30)]
    inbox = reverse("playbooks:inbox")
    session = session_queries()  # none when the session is read from Redis
    partials = {
        inbox + "?q=Task": 3 + session,  # user, counts, rows: the fragment draws no emails
        inbox + f"?group=upcoming&after={tasks[24].pk}": 3 + session,  # the last 5 rows: no count query
        reverse("playbooks:task_reassign", args=[tasks[0].pk]): 3 + session,
    }
    csm_client.get(inbox)  # the session is warm
    calls.clear()
    # when / then
    for url, queries in partials.items():
        with CaptureQueriesContext(connection) as ctx:
            assert csm_client.get(url, **htmx_headers).status_code == 200
        assert len(ctx.captured_queries) == queries, url
    assert calls == []
    response = csm_client.get(inbox)
    assert calls == [1]
    assert re.search(r'Tasks\s*<span class="badge-count" id="nav-badge-tasks">30</span>', response.content.decode())
