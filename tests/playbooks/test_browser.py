"""Playwright: a default playbook fires on demo-like data, the CSM opens the task from the
inbox, reads why it exists, completes it, and sees the outcome on the account's timeline.
Screenshots of the inbox, the task, the builder and the team view are saved to look at."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from demo.playbooks import default_playbooks_create
from health.models import HealthScore
from playbooks.models import Task
from playbooks.services import playbooks_run
from tests.factories import AccountFactory, ContactFactory, SubscriptionFactory
from tests.factories.surveys import SurveyResponseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _book(csm):
    """A small book like the demo's: a red turn, a detractor, a renewal, a quiet key account."""
    today = timezone.now().date()
    acme = AccountFactory(
        name="Acme Analytics",
        owner=csm,
        tier="key",
        mrr=Decimal("4200"),
        health_score=41,
        health_band="red",
        health_change_7d=-31,
        renewal_date=today + timedelta(days=64),
        last_touch_at=timezone.now() - timedelta(days=2),
    )
    HealthScore.objects.create(account=acme, day=today - timedelta(days=1), score=72, band="green", measures={})
    HealthScore.objects.create(account=acme, day=today, score=41, band="red", measures={})
    globex = AccountFactory(
        name="Globex Retail",
        owner=csm,
        tier="standard",
        mrr=Decimal("900"),
        health_score=58,
        health_band="yellow",
        last_touch_at=timezone.now(),
    )
    jane = ContactFactory(account=globex, name="Jane Doe")
    SurveyResponseFactory(account=globex, contact=jane, score=3, comment="Exports keep failing every Monday.")
    AccountFactory(
        name="Initech",
        owner=csm,
        tier="key",
        mrr=Decimal("2500"),
        health_score=77,
        health_band="green",
        created_at=timezone.now() - timedelta(days=200),
        last_touch_at=timezone.now() - timedelta(days=19),
    )
    SubscriptionFactory(account=acme, mrr=Decimal("4200"), end_date=today + timedelta(days=64))
    return acme


def test_csm_completes_a_playbook_task_and_sees_it_on_the_timeline(page, login, screenshot, csm_user):
    # given: the default playbooks and a nightly run over demo-like data
    acme = _book(csm_user)
    default_playbooks_create()
    playbooks_run(source="nightly")
    task = Task.objects.get(account=acme, playbook__name="Health dropped to red")
    assert task.reason == "health band went from green to red (score 72 → 41) on " + timezone.now().strftime("%d %b")

    # when: the CSM opens the inbox
    login(csm_user)
    page.goto("/tasks/")
    page.wait_for_selector(f"#task-{task.pk}")
    assert page.locator(".sidebar a.nav:has-text('Tasks') .badge-count").inner_text().strip() == str(
        Task.objects.filter(assignee=csm_user, status="open").count()
    )
    row = page.locator(f"#task-{task.pk}")
    assert "green to red (score 72 → 41)" in row.locator(".reason").inner_text()
    assert "Acme Analytics" in row.inner_text() and "ARR 50,400" in row.inner_text()
    screenshot("playbooks_inbox")

    # ...opens the task and reads why it exists
    row.locator("a.title").click()
    page.wait_for_selector("#task-reason")
    assert "score 72 → 41" in page.locator("#task-reason").inner_text()
    assert "Health dropped to red" in page.content()
    screenshot("playbooks_task_detail")

    # ...and completes it with an outcome note
    page.fill(
        "#complete-form textarea[name=outcome_note]",
        "Met the champion; rescue plan agreed, exec sponsor call on Friday.",
    )
    page.click("#complete-form button[type=submit]")
    page.wait_for_load_state("networkidle")

    # then: back on the account page, the outcome is on the timeline
    assert page.url.endswith(f"/accounts/{acme.pk}/")
    timeline = page.locator("text=rescue plan agreed, exec sponsor call on Friday.")
    timeline.first.wait_for()
    assert "Task done: " in page.content()
    screenshot("playbooks_account_timeline")
    task.refresh_from_db()
    assert task.status == "done"


def test_inbox_htmx_complete_and_bulk(page, login, csm_user):
    _book(csm_user)
    default_playbooks_create()
    playbooks_run(source="nightly")
    tasks = list(Task.objects.filter(assignee=csm_user, status="open").order_by("id"))
    assert len(tasks) >= 3
    login(csm_user)
    page.goto("/tasks/")
    first = page.locator(f"#task-{tasks[0].pk}")
    first.locator("input[name=outcome_note]").fill("Called, all good.")
    first.locator("button:has-text('Done')").click()
    page.locator(f"#task-{tasks[0].pk} .badge:has-text('Done')").wait_for()
    # bulk snooze the next two
    for t in tasks[1:3]:
        page.check(f"#task-{t.pk} input[name=task_ids]")
    page.select_option("#bulk-form select[name=action]", "snooze")
    page.click("#bulk-form button[type=submit]")
    page.locator("#inbox-groups .messages li.success").wait_for()  # swapped in place by htmx
    assert page.locator("#inbox-groups .messages li.success").inner_text() == "2 tasks updated."
    assert set(Task.objects.filter(pk__in=[t.pk for t in tasks[1:3]]).values_list("status", flat=True)) == {"snoozed"}


def test_builder_and_team_screens(page, login, screenshot, admin_user, manager_user, csm_user):
    _book(csm_user)
    playbooks = default_playbooks_create()
    playbooks_run(source="nightly")
    login(admin_user)
    page.goto("/playbooks/")
    page.wait_for_selector("#playbooks")
    assert page.locator("#playbooks tbody tr").count() == len(playbooks)
    screenshot("playbooks_builder_list")
    red = next(p for p in playbooks if p.name == "Renewal in 90 days")
    page.goto(f"/playbooks/{red.pk}/edit/")
    page.click("button:has-text('Preview matches')")
    page.wait_for_selector("#preview-table")
    assert "Acme Analytics" in page.locator("#preview-table").inner_text()
    screenshot("playbooks_builder_form")
    page.goto(f"/playbooks/{red.pk}/")
    screenshot("playbooks_builder_detail")
    page.context.clear_cookies()
    login(manager_user)
    page.goto("/tasks/team/")
    page.wait_for_selector("#team-load")
    assert csm_user.get_full_name() in page.locator("#team-load").inner_text()
    screenshot("playbooks_team")


def test_inbox_show_more_and_move(page, login, screenshot, csm_user):
    """A CSM with more overdue tasks than a group shows clicks "Show more" to get the rest,
    then moves one task to a colleague with the row's "Move to…" form (loaded on demand)."""
    from core.choices import Role
    from playbooks.selectors import INBOX_PAGE
    from tests.factories import UserFactory
    from tests.factories.playbooks import TaskFactory

    # given: INBOX_PAGE + 5 overdue tasks, the most urgent first
    today = timezone.now().date()
    acme = _book(csm_user)
    tasks = [
        TaskFactory(
            account=acme,
            assignee=csm_user,
            title=f"Overdue {i:02d}",
            priority=4 if i < 3 else 2,
            due_date=today - timedelta(days=1 + i % 4),
        )
        for i in range(INBOX_PAGE + 5)
    ]
    UserFactory(role=Role.CSM, first_name="Olga", last_name="Other")
    login(csm_user)
    page.goto("/tasks/")
    rows = page.locator("#group-overdue .task-row")
    assert rows.count() == INBOX_PAGE
    # urgent first, the longest overdue of them first
    assert rows.locator("a.title").all_inner_texts()[:3] == ["Overdue 02", "Overdue 01", "Overdue 00"]
    more = page.locator("#more-overdue")
    assert "5 more not shown" in more.inner_text()
    screenshot("playbooks_inbox_show_more")

    # when: "Show 5 more"
    more.locator("button:has-text('Show 5 more')").click()
    # then: every overdue task once, and no further "Show more"
    page.wait_for_function(f"document.querySelectorAll('#group-overdue .task-row').length === {INBOX_PAGE + 5}")
    assert page.locator("#more-overdue").count() == 0
    shown = page.locator("#group-overdue .task-row a.title").all_inner_texts()
    assert sorted(shown) == sorted(t.title for t in tasks)

    # when: the last loaded row is moved to Olga
    last = tasks[-1]
    row = page.locator(f"#task-{last.pk}")
    row.locator("a:has-text('Move to')").click()
    row.locator("select[name=assignee]").select_option(label="Olga Other")
    screenshot("playbooks_inbox_move")
    row.locator("button:has-text('Move')").click()
    # then: the row says who has it now, and so does the database
    page.locator(f"#task-{last.pk} .meta:has-text('for Olga Other')").wait_for()
    last.refresh_from_db()
    assert last.assignee.get_full_name() == "Olga Other"


def test_churned_account_tasks_are_cancelled_and_say_why(page, login, screenshot, csm_user):
    """The account churns (its stage is set by an import); the nightly run cancels its open
    task: the CSM's inbox no longer has it, the account's timeline says so, the task's page
    says why."""
    from accounts.models import Account
    from tests.factories.playbooks import TaskFactory

    # given: an open task on an account that then churns, and the nightly run
    acme = _book(csm_user)
    task = TaskFactory(account=acme, assignee=csm_user, title="Prepare the renewal of Acme Analytics")
    Account.objects.filter(pk=acme.pk).update(lifecycle_stage="churned", mrr=0)
    playbooks_run(source="nightly")
    login(csm_user)
    # when: the CSM opens the inbox
    page.goto("/tasks/")
    page.wait_for_selector("#group-overdue")
    # then: the task is gone from it; no playbook made a new one for the churned account
    assert page.locator(f"#task-{task.pk}").count() == 0
    assert "Acme Analytics" not in page.locator("#inbox-groups").inner_text()
    # ...the account's timeline lists it
    page.goto(f"/accounts/{acme.pk}/")
    page.locator("text=1 open task cancelled: the account churned").first.wait_for()
    # ...and the task's page says why, with nothing left to do on it
    page.goto(f"/tasks/{task.pk}/")
    card = page.locator("#task-cancelled")
    assert "Cancelled: the account churned." in card.inner_text()
    assert page.locator("#complete-form").count() == 0
    screenshot("playbooks_task_cancelled")


def test_inbox_bulk_action_keeps_the_filters(page, login, screenshot, csm_user):
    """A CSM filters the inbox (search + priority), ticks two of the tasks shown, snoozes them:
    the filter bar still holds the search and the priority, and only matching tasks are listed."""
    from tests.factories.playbooks import TaskFactory

    # given
    today = timezone.now().date()
    acme = _book(csm_user)
    renewals = [
        TaskFactory(account=acme, assignee=csm_user, title=f"Renewal prep {i}", priority=4, due_date=today)
        for i in range(3)
    ]
    TaskFactory(account=acme, assignee=csm_user, title="Renewal low", priority=1, due_date=today)
    TaskFactory(account=acme, assignee=csm_user, title="Kickoff call", priority=4, due_date=today)
    login(csm_user)
    page.goto("/tasks/")
    # when: filtered on "renewal" + Urgent
    page.locator("#inbox-filters input[name=q]").press_sequentially("renewal")
    page.press("#inbox-filters input[name=q]", "Tab")  # leaving the box is a "change" too
    page.select_option("#inbox-filters select[name=priority]", "4")
    page.wait_for_function("document.querySelectorAll('#inbox-groups .task-row').length === 3")
    page.wait_for_load_state("networkidle")
    # ...two are ticked and snoozed
    for t in renewals[:2]:
        page.check(f"#task-{t.pk} input[name=task_ids]")
    page.select_option("#bulk-form select[name=action]", "snooze")
    page.click("#bulk-form button[type=submit]")
    page.locator("#inbox-groups .messages li.success").wait_for()
    # then: same filters, only matching tasks (the snoozed two now under Snoozed)
    assert page.locator("#inbox-groups .messages li.success").inner_text() == "2 tasks updated."
    assert page.input_value("#inbox-filters input[name=q]") == "renewal"
    assert page.input_value("#inbox-filters select[name=priority]") == "4"
    titles = page.locator("#inbox-groups .task-row a.title").all_inner_texts()
    assert sorted(titles) == ["Renewal prep 0", "Renewal prep 1", "Renewal prep 2"]
    assert page.locator("#group-snoozed .task-row").count() == 2
    screenshot("playbooks_inbox_bulk_filtered")
    assert set(Task.objects.filter(pk__in=[t.pk for t in renewals[:2]]).values_list("status", flat=True)) == {"snoozed"}
