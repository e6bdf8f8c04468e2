"""Task actions (playbooks/views/task_actions.py): complete, snooze, reassign (one URL each)
and the bulk bar, for htmx and plain posts."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Activity
from core.choices import Role
from playbooks.choices import TaskStatus
from playbooks.models import Task
from tests.factories import AccountFactory, UserFactory
from tests.factories.playbooks import TaskFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.now().date()


def test_complete_puts_the_outcome_on_the_timeline(csm_client, csm_user, htmx_headers):
    task = TaskFactory(account=AccountFactory(owner=csm_user))
    url = reverse("playbooks:task_complete", args=[task.pk])
    csm_client.get(reverse("playbooks:inbox"))  # the inbox holds the rows' forms
    assert csm_client.post(url, {"outcome_note": ""}, **htmx_headers).status_code == 400
    response = csm_client.post(url, {"outcome_note": "Called them, fixed the export."}, **htmx_headers)
    assert response.status_code == 200 and json.loads(response["HX-Trigger"]) == {"tasks-changed": {"counted": True}}
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.completed_by == csm_user
    activity = Activity.objects.get(account=task.account, kind="task")
    assert activity.body.startswith("Called them, fixed the export.")
    assert "Why: health fell from 72 to 41" in activity.body


def test_snooze_and_reassign(csm_client, csm_user):
    task = TaskFactory(account=AccountFactory(owner=csm_user))
    other = UserFactory(role=Role.CSM)
    csm_client.get(reverse("playbooks:inbox"))  # the inbox holds the rows' forms
    csm_client.post(reverse("playbooks:task_snooze", args=[task.pk]), {"days": "3"})
    task.refresh_from_db()
    assert task.status == TaskStatus.SNOOZED and task.snoozed_until == TODAY + timedelta(3)
    csm_client.post(reverse("playbooks:task_reassign", args=[task.pk]), {"assignee": other.pk})
    task.refresh_from_db()
    assert task.assignee == other


def test_bulk_complete(csm_client, csm_user):
    tasks = [TaskFactory(account=AccountFactory(owner=csm_user)) for _ in range(3)]
    csm_client.get(reverse("playbooks:inbox"))  # the inbox holds the bulk form
    response = csm_client.post(
        reverse("playbooks:task_bulk"),
        {"task_ids": [t.pk for t in tasks[:2]], "action": "complete", "outcome_note": "Batch call", "days": "7"},
    )
    assert response.status_code == 302
    assert Task.objects.filter(status=TaskStatus.DONE).count() == 2
    assert Activity.objects.filter(kind="task").count() == 2
    # a bulk complete without a note changes nothing
    csm_client.post(reverse("playbooks:task_bulk"), {"task_ids": [tasks[2].pk], "action": "complete", "days": "7"})
    tasks[2].refresh_from_db()
    assert tasks[2].status == TaskStatus.OPEN


def test_readonly_changes_nothing(client, readonly_user):
    task = TaskFactory()
    client.force_login(readonly_user)
    assert client.get(reverse("playbooks:inbox")).status_code == 200
    response = client.post(reverse("playbooks:task_complete", args=[task.pk]), {"outcome_note": "x"})
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_bulk_with_htmx_answers_the_groups_in_place(csm_client, csm_user, htmx_headers):
    tasks = [TaskFactory(account=AccountFactory(owner=csm_user), title=f"Bulk {i}") for i in range(3)]
    other = UserFactory(role=Role.CSM)
    csm_client.get(reverse("playbooks:inbox"))  # the inbox holds the bulk form
    response = csm_client.post(
        reverse("playbooks:task_bulk"),
        {"task_ids": [t.pk for t in tasks[:2]], "action": "reassign", "assignee": other.pk, "days": "7"},
        **htmx_headers,
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'id="inbox-groups"' in body and "2 tasks updated." in body
    assert "Bulk 2" in body and "Bulk 0" not in body  # moved out of my inbox
    assert set(Task.objects.filter(pk__in=[t.pk for t in tasks[:2]]).values_list("assignee", flat=True)) == {other.pk}
    bad = csm_client.post(
        reverse("playbooks:task_bulk"), {"task_ids": [tasks[2].pk], "action": "complete"}, **htmx_headers
    )
    assert bad.status_code == 400 and "outcome_note" in bad.content.decode()


def test_bulk_with_htmx_keeps_the_inbox_filters(csm_client, csm_user, htmx_headers):
    """The groups that come back after a bulk action are those of the filtered view the CSM was on
    (search and priority, sent along by the bulk form), and "Show more" repeats the filters."""
    from playbooks.selectors import INBOX_PAGE

    # given: more urgent "Renewal" tasks than a group shows, plus tasks the filters leave out
    account = AccountFactory(owner=csm_user)
    renewals = [
        TaskFactory(account=account, title=f"Renewal {i:02d}", priority=4, due_date=TODAY - timedelta(1))
        for i in range(INBOX_PAGE + 3)
    ]
    TaskFactory(account=account, title="Renewal low", priority=1, due_date=TODAY - timedelta(1))
    TaskFactory(account=account, title="Kickoff call", priority=4, due_date=TODAY - timedelta(1))
    # when: two of them are snoozed from the view filtered on "renewal" + urgent
    csm_client.get(reverse("playbooks:inbox"))  # the inbox holds the bulk form
    response = csm_client.post(
        reverse("playbooks:task_bulk"),
        {"task_ids": [t.pk for t in renewals[:2]], "action": "snooze", "days": "7", "q": "renewal", "priority": "4"},
        **htmx_headers,
    )
    # then
    body = response.content.decode()
    assert response.status_code == 200 and "2 tasks updated." in body
    assert "Renewal low" not in body and "Kickoff call" not in body
    assert body.count('class="task-row') == INBOX_PAGE + 2  # a page of overdue + the two snoozed
    assert "q=renewal&amp;priority=4" in body  # "Show more" keeps the filters
    # and a refused bulk action answers the filtered view too
    bad = csm_client.post(
        reverse("playbooks:task_bulk"),
        {"task_ids": [renewals[3].pk], "action": "complete", "q": "renewal", "priority": "4"},
        **htmx_headers,
    )
    assert bad.status_code == 400 and "Kickoff call" not in bad.content.decode()


def test_bulk_without_htmx_goes_back_to_the_filtered_inbox(csm_client, csm_user):
    task = TaskFactory(account=AccountFactory(owner=csm_user))
    csm_client.get(reverse("playbooks:inbox"))  # the inbox holds the bulk form
    response = csm_client.post(
        reverse("playbooks:task_bulk"),
        {"task_ids": [task.pk], "action": "snooze", "days": "7", "next": "/tasks/?q=renewal&priority=4"},
    )
    assert response.status_code == 302 and response["Location"] == "/tasks/?q=renewal&priority=4"
