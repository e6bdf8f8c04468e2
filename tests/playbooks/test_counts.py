"""Counts that stay true after task actions (issue 15, item 7): each htmx answer to a task write
carries the sidebar badge, the inbox summary and the group counts out-of-band, and says
`tasks-changed`; a page told so without counts fetches them from /tasks/counts/."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from playbooks.models import Task
from tests.factories import AccountFactory
from tests.factories.playbooks import TaskFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.now().date()


def oob(html: str, element_id: str) -> str:
    """The text of the out-of-band element with this id in an htmx answer."""
    found = re.search(rf'<[^>]+id="{element_id}"[^>]*hx-swap-oob="true"[^>]*>(.*?)</', html, re.S)
    assert found, f"no out-of-band #{element_id}"
    return " ".join(found.group(1).split())


@pytest.fixture
def my_tasks(csm_user):
    account = AccountFactory(owner=csm_user, name="Acme")
    return [
        TaskFactory(account=account, title="Late one", due_date=TODAY - timedelta(days=2)),
        TaskFactory(account=account, title="Late two", due_date=TODAY - timedelta(days=1)),
        TaskFactory(account=account, title="Today", due_date=TODAY),
    ]


def test_the_page_has_the_ids_the_counts_replace(csm_client, my_tasks):
    html = csm_client.get(reverse("playbooks:inbox")).content.decode()
    assert re.search(r'<span class="badge-count" id="nav-badge-tasks">3</span>', html)
    assert re.search(r'id="inbox-summary"[^>]*>3 open · 2 overdue · 1 due today<', html)
    assert 'id="group-count-overdue">2<' in html and 'id="group-count-today">1<' in html


def test_completing_a_task_answers_the_new_counts(csm_client, my_tasks, htmx_headers, django_assert_max_num_queries):
    # given: the inbox as the CSM sees it
    csm_client.get(reverse("playbooks:inbox"))
    # when: one overdue task is done
    with django_assert_max_num_queries(14):
        response = csm_client.post(
            reverse("playbooks:task_complete", args=[my_tasks[0].pk]), {"outcome_note": "Called"}, **htmx_headers
        )
    # then: the row, and beside it the badge, the summary and the group counts, fresh
    html = response.content.decode()
    assert response.status_code == 200 and 'id="task-' in html
    assert oob(html, "nav-badge-tasks") == "2"
    assert oob(html, "inbox-summary") == "2 open · 1 overdue · 1 due today"
    assert oob(html, "group-count-overdue") == "1" and oob(html, "group-count-today") == "1"
    assert json.loads(response["HX-Trigger"]) == {"tasks-changed": {"counted": True}}


def test_a_filtered_inbox_keeps_its_filter_and_the_badge_counts_everything(csm_client, my_tasks, htmx_headers):
    csm_client.get(reverse("playbooks:inbox"), {"q": "Late"})
    response = csm_client.post(
        reverse("playbooks:task_snooze", args=[my_tasks[0].pk]), {"days": 3, "q": "Late"}, **htmx_headers
    )
    html = response.content.decode()
    assert oob(html, "inbox-summary") == "1 open · 1 overdue · 0 due today"  # "Late" tasks only
    assert oob(html, "group-count-snoozed") == "1"
    assert oob(html, "nav-badge-tasks") == "2"  # all my actionable tasks


def test_the_last_task_done_hides_the_badge(csm_client, csm_user, htmx_headers):
    task = TaskFactory(account=AccountFactory(owner=csm_user), due_date=TODAY)
    csm_client.get(reverse("playbooks:inbox"))
    html = csm_client.post(
        reverse("playbooks:task_complete", args=[task.pk]), {"outcome_note": "Done"}, **htmx_headers
    ).content.decode()
    assert re.search(r'<span class="badge-count" id="nav-badge-tasks" hx-swap-oob="true" hidden>0</span>', html)
    # and a page drawn with no task still has the (hidden) badge for the counts to fill
    page = csm_client.get(reverse("playbooks:inbox")).content.decode()
    assert '<span class="badge-count" id="nav-badge-tasks" hidden></span>' in page


def test_bulk_answers_the_badge_and_the_summary(csm_client, my_tasks, htmx_headers):
    csm_client.get(reverse("playbooks:inbox"))
    response = csm_client.post(
        reverse("playbooks:task_bulk"),
        {"task_ids": [my_tasks[0].pk, my_tasks[1].pk], "action": "complete", "outcome_note": "Sorted"},
        **htmx_headers,
    )
    html = response.content.decode()
    assert oob(html, "nav-badge-tasks") == "1"
    assert oob(html, "inbox-summary") == "1 open · 0 overdue · 1 due today"
    assert 'id="group-count-overdue">0<' in html  # in the groups swapped whole, not twice
    assert html.count('id="group-count-overdue"') == 1


def test_a_manager_on_a_team_members_inbox_gets_that_inbox_counted(
    client, manager_user, csm_user, my_tasks, htmx_headers
):
    client.force_login(manager_user)
    client.get(reverse("playbooks:inbox"), {"assignee": csm_user.pk})
    response = client.post(
        reverse("playbooks:task_complete", args=[my_tasks[2].pk]),
        {"outcome_note": "Covered for them", "assignee_view": csm_user.pk},
        **htmx_headers,
    )
    html = response.content.decode()
    assert oob(html, "inbox-summary") == "2 open · 2 overdue · 0 due today"  # the CSM's inbox
    assert oob(html, "nav-badge-tasks") == "0"  # the manager's own badge


def test_the_counts_endpoint_for_answers_that_carry_none(csm_client, readonly_user, client, my_tasks):
    Task.objects.filter(pk=my_tasks[0].pk).update(status="done")  # changed by a view that sent no counts
    html = csm_client.get(reverse("playbooks:task_counts")).content.decode()
    assert oob(html, "nav-badge-tasks") == "2"
    assert oob(html, "inbox-summary") == "2 open · 1 overdue · 1 due today"
    filtered = csm_client.get(reverse("playbooks:task_counts"), {"q": "Today"}).content.decode()
    assert oob(filtered, "inbox-summary") == "1 open · 0 overdue · 1 due today"
    client.force_login(readonly_user)
    assert "nav-badge" not in client.get(reverse("playbooks:task_counts")).content.decode()


def test_every_page_listens_for_tasks_changed(csm_client, my_tasks):
    home = csm_client.get("/").content.decode()
    assert re.search(r'id="task-counts-listener"[^>]*hx-get="/tasks/counts/"', home)
    # static/js/behaviors.js turns an uncounted tasks-changed into tasks-recount (no eval under the CSP)
    assert 'hx-trigger="tasks-recount"' in home
    assert "js/behaviors.js" in home
    inbox = csm_client.get(reverse("playbooks:inbox")).content.decode()
    assert inbox.count('id="task-counts-listener"') == 1 and 'hx-include="#inbox-filters"' in inbox
