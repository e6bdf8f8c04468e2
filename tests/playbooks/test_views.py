"""Inbox, task actions, team view and builder pages: roles, htmx partials, query counts."""

import json
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Activity
from core.choices import Role
from playbooks.choices import TaskStatus
from playbooks.models import Playbook, PlaybookVersion, Task
from tests.factories import AccountFactory, UserFactory
from tests.factories.playbooks import TaskFactory, TaskTemplateFactory

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


def test_team_view_is_for_managers(client, csm_user, manager_user, django_assert_max_num_queries):
    TaskFactory(account=AccountFactory(owner=csm_user), due_date=TODAY - timedelta(3), title="Old overdue")
    TaskFactory(account=AccountFactory(owner=csm_user), due_date=TODAY)
    client.force_login(csm_user)
    assert client.get(reverse("playbooks:team")).status_code == 403
    client.force_login(manager_user)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("playbooks:team"))
    assert response.status_code == 200
    load = {m.pk: m for m in response.context["members"]}
    assert load[csm_user.pk].open_count == 2 and load[csm_user.pk].overdue_count == 1
    assert "Old overdue" in response.content.decode()


def test_nav_badge_counts_my_open_tasks(csm_client, csm_user):
    TaskFactory(account=AccountFactory(owner=csm_user))
    TaskFactory(account=AccountFactory(owner=csm_user), status=TaskStatus.DONE)
    response = csm_client.get(reverse("playbooks:inbox"))
    nav = [i for items in response.context["nav_sections"].values() for i in items if i["label"] == "Tasks"]
    assert nav[0]["badge"] == 1


def _builder_post(template_id, **overrides):
    data = {
        "name": "Detractors",
        "description": "",
        "trigger_type": "survey_answer",
        "p_survey_answer__answer": "detractor",
        "p_survey_answer__lookback_days": "3",
        "cooldown_days": "14",
        "max_enrolments": "",
        "enabled": "on",
        "tiers": ["key"],
        "segments": "Enterprise, SMB",
        "arr_min": "1000",
        "arr_max": "",
        "actions-TOTAL_FORMS": "2",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "8",
        "actions-0-type": "task",
        "actions-0-task_template": str(template_id),
        "actions-1-type": "",
    }
    data.update(overrides)
    return data


def test_builder_is_for_admins(csm_client):
    assert csm_client.get(reverse("playbooks:playbook_list")).status_code == 403
    assert csm_client.post(reverse("playbooks:playbook_create"), {}).status_code == 403


def test_builder_creates_edits_and_keeps_history(admin_client):
    template = TaskTemplateFactory()
    admin_client.get(reverse("playbooks:playbook_create"))  # the page that holds the form, as a browser has it
    response = admin_client.post(reverse("playbooks:playbook_create"), _builder_post(template.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    playbook = Playbook.objects.get(name="Detractors")
    assert playbook.trigger_params == {"answer": "detractor", "lookback_days": 3}
    assert playbook.conditions == {"tiers": ["key"], "segments": ["Enterprise", "SMB"], "arr_min": 1000.0}
    assert playbook.actions == [{"type": "task", "template": template.pk}]
    # edit: a new version with a snapshot
    admin_client.post(
        reverse("playbooks:playbook_edit", args=[playbook.pk]),
        _builder_post(template.pk, **{"p_survey_answer__lookback_days": "7"}),
    )
    playbook.refresh_from_db()
    assert playbook.version == 2 and playbook.trigger_params["lookback_days"] == 7
    versions = PlaybookVersion.objects.filter(playbook=playbook)
    assert [v.version for v in versions] == [2, 1]
    assert versions[1].snapshot["trigger_params"]["lookback_days"] == 3
    page = admin_client.get(reverse("playbooks:playbook_history", args=[playbook.pk]))
    assert page.status_code == 200 and b"trigger_params" in page.content
    # disable
    admin_client.post(reverse("playbooks:playbook_toggle", args=[playbook.pk]))
    playbook.refresh_from_db()
    assert not playbook.enabled and playbook.version == 3


def test_builder_rejects_bad_params_with_field_errors(admin_client):
    template = TaskTemplateFactory()
    admin_client.get(reverse("playbooks:playbook_create"))  # the page that holds the form, as a browser has it
    response = admin_client.post(
        reverse("playbooks:playbook_create"),
        _builder_post(template.pk, **{"p_survey_answer__lookback_days": "500", "actions-0-task_template": ""}),
    )
    assert response.status_code == 400
    assert not Playbook.objects.exists()
    form = response.context["form"]
    assert "p_survey_answer__lookback_days" in form.errors


def test_builder_pages_render(admin_client, make_playbook):
    playbook = make_playbook("renewal_due", {"days": 90})
    AccountFactory(renewal_date=TODAY + timedelta(10), name="Soon Renewing")
    for name in ("playbook_list", "playbook_create"):
        assert admin_client.get(reverse(f"playbooks:{name}")).status_code == 200
    for name in ("playbook_detail", "playbook_edit", "playbook_history"):
        assert admin_client.get(reverse(f"playbooks:{name}", args=[playbook.pk])).status_code == 200
    preview = admin_client.get(reverse("playbooks:playbook_preview", args=[playbook.pk]))
    assert b"Soon Renewing" in preview.content and b"would enrol" in preview.content
    assert not Task.objects.exists()  # a dry run writes nothing
    # preview of an unsaved form
    template = TaskTemplateFactory()
    draft = _builder_post(
        template.pk, trigger_type="renewal_due", p_renewal_due__days="30", tiers=[], segments="", arr_min=""
    )
    response = admin_client.post(reverse("playbooks:playbook_preview_new"), draft)
    assert b"Soon Renewing" in response.content
    # after a run: the run log names the account, the reason and what was done
    from playbooks.evaluation import playbook_evaluate

    playbook_evaluate(playbook=playbook)
    playbook_evaluate(playbook=playbook)
    detail = admin_client.get(reverse("playbooks:playbook_detail", args=[playbook.pk])).content.decode()
    assert "Soon Renewing" in detail and "renews on" in detail and "task #" in detail
    assert "a task from this playbook is still open" in detail


def test_template_forms(admin_client):
    admin_client.get(reverse("playbooks:task_template_create"))  # the page that holds the form, as a browser has it
    response = admin_client.post(
        reverse("playbooks:task_template_create"),
        {
            "name": "Call",
            "title": "Call {% if account %}",
            "body": "",
            "priority": "2",
            "due_in_days": "3",
            "assignee_rule": "owner",
        },
    )
    assert response.status_code == 400  # template syntax error reported on the field
    response = admin_client.post(
        reverse("playbooks:task_template_create"),
        {
            "name": "Call",
            "title": "Call {{ account.name }}",
            "body": "",
            "priority": "2",
            "due_in_days": "3",
            "assignee_rule": "user",
        },
    )
    assert response.status_code == 400 and "assignee_user" in response.context["form"].errors
    response = admin_client.post(
        reverse("playbooks:email_template_create"), {"name": "Hi", "subject": "Hi {{ contact.name }}", "body": "Body"}
    )
    assert response.status_code == 302


def test_admin_edits_the_touch_cadence(admin_client):
    from accounts.models import TouchCadence

    assert admin_client.get(reverse("playbooks:cadence")).status_code == 200
    data = {"strategic": "2", "key": "7", "standard": "30", "tech_touch": "0"}
    assert admin_client.post(reverse("playbooks:cadence"), data).status_code == 400
    data["tech_touch"] = "120"
    assert admin_client.post(reverse("playbooks:cadence"), data).status_code == 302
    assert TouchCadence.days_by_tier() == {"strategic": 2, "key": 7, "standard": 30, "tech_touch": 120}


def test_cadence_is_for_admins(csm_client):
    assert csm_client.get(reverse("playbooks:cadence")).status_code == 403


def test_account_panel_lists_open_tasks_in_constant_queries(csm_client, csm_user, django_assert_max_num_queries):
    from accounts.panels import PANELS

    account = AccountFactory(owner=csm_user)
    for _ in range(6):
        TaskFactory(account=account)
    TaskFactory(account=account, status=TaskStatus.DONE, title="Finished one")
    panel = PANELS["tasks"]
    with django_assert_max_num_queries(1):
        context = panel.get_context(None, account)
    assert len(context["tasks"]) == 6
    page = csm_client.get(reverse("accounts:detail", args=[account.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and 'id="account-tasks"' in body and "Finished one" not in body


def test_manager_sees_a_team_members_inbox_csm_does_not(client, csm_user, manager_user):
    TaskFactory(account=AccountFactory(owner=csm_user), title="Task for Carl")
    client.force_login(manager_user)
    body = client.get(reverse("playbooks:inbox"), {"assignee": csm_user.pk}).content.decode()
    assert "Task for Carl" in body and "Carl Success tasks" in body
    other = UserFactory(role=Role.CSM)
    client.force_login(other)
    body = client.get(reverse("playbooks:inbox"), {"assignee": csm_user.pk}).content.decode()
    assert "Task for Carl" not in body


def test_team_is_the_managers_reports(client, manager_user, csm_user):
    outsider = UserFactory(role=Role.CSM, first_name="Out", last_name="Sider")
    client.force_login(manager_user)
    names = [m.pk for m in client.get(reverse("playbooks:team")).context["members"]]
    assert csm_user.pk in names and outsider.pk not in names


def test_snoozed_tasks_wake_up(csm_user):
    from playbooks.services import task_reopen_snoozed, task_snooze

    task = TaskFactory(account=AccountFactory(owner=csm_user))
    with pytest.raises(ValidationError):
        task_snooze(task=task, user=csm_user, until=TODAY)
    task_snooze(task=task, user=csm_user, until=TODAY + timedelta(days=2))
    assert task_reopen_snoozed(today=TODAY + timedelta(days=1)) == 0
    assert task_reopen_snoozed(today=TODAY + timedelta(days=2)) == 1
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and task.snoozed_until is None


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


def test_htmx_partials_run_no_badge_query(csm_client, csm_user, htmx_headers, monkeypatch):
    """The sidebar's task count is queried for a full page only: the inbox's partials (filter,
    "Show more", a row's reassign form) draw no sidebar and run one query less than before (6 -> 5,
    6 -> 5, 5 -> 4)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.navigation import NAV_BADGES
    from playbooks.selectors import nav_open_task_count

    # given
    calls = []
    monkeypatch.setitem(NAV_BADGES, "playbooks:inbox", lambda request: calls.append(1) or nav_open_task_count(request))
    tasks = [TaskFactory(account=AccountFactory(owner=csm_user)) for _ in range(30)]
    inbox = reverse("playbooks:inbox")
    partials = {
        inbox + "?q=Task": 5,
        inbox + f"?group=upcoming&after={tasks[24].pk}": 5,
        reverse("playbooks:task_reassign", args=[tasks[0].pk]): 4,
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
