"""Playwright (issue 15, item 15): a CSM creates a task by hand from the inbox (picking the
account from a search, fixing a refused due date on its field) and from the account page's Tasks
panel, at desktop and phone sizes. Screenshots go to artifacts/screenshots/."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from playbooks.models import Task
from tests.factories import AccountFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_new_task_from_the_inbox(page, login, screenshot, csm_user, size):
    # given
    page.set_viewport_size(VIEWPORTS[size])
    AccountFactory(name="Acme Analytics", owner=csm_user)
    globex = AccountFactory(name="Globex Retail", owner=csm_user)
    login(csm_user)
    page.goto("/tasks/")
    # when: open the form, find the account, set a due date in the past
    page.click("#task-new-button")
    form = page.locator("form.task-new")
    expect(form).to_be_visible()
    # htmx wires the swapped-in form's own hx-* (the account search) when it settles, and drops
    # .htmx-added then: typing before that, as a fast test can, would go unheard
    page.wait_for_function("() => !document.querySelector('.htmx-added')")
    page.fill("#task-new-account-q", "glob")
    option = page.locator("#task-account-options label", has_text="Globex Retail")
    expect(option).to_be_visible()
    expect(page.locator("#task-account-options label")).to_have_count(1)
    option.locator("input").check()
    page.fill("#task-new-title", "Send the QBR deck")
    page.fill("#task-new-body", "Numbers from the November review.")
    page.select_option("#task-new-priority", label="High")
    yesterday = timezone.now().date() - timedelta(days=1)
    page.fill("#task-new-due_date", yesterday.isoformat())
    page.click("form.task-new button[type=submit]")
    # then: refused on the field, nothing written
    expect(page.locator("#task-new-due_date-errors")).to_contain_text("cannot be in the past")
    assert not Task.objects.exists()
    screenshot(f"task_new_inbox_error_{size}")
    # when: fixed
    due = timezone.now().date() + timedelta(days=2)
    page.fill("#task-new-due_date", due.isoformat())
    page.click("form.task-new button[type=submit]")
    # then: created, and the inbox groups show it
    expect(page.locator(".task-new-done")).to_contain_text("Task created")
    expect(page.locator("#inbox-groups")).to_contain_text("Send the QBR deck")
    task = Task.objects.get()
    assert (task.account_id, task.assignee_id, task.priority, task.due_date) == (globex.pk, csm_user.pk, 3, due)
    screenshot(f"task_new_inbox_done_{size}")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_new_task_from_the_account_page(page, login, screenshot, csm_user, size):
    page.set_viewport_size(VIEWPORTS[size])
    account = AccountFactory(name="Initech", owner=csm_user)
    login(csm_user)
    page.goto(f"/accounts/{account.pk}/")
    panel = page.locator("#account-tasks")
    panel.get_by_role("link", name="New task").click()
    expect(panel.locator("form.task-new")).to_be_visible()
    expect(panel.locator("#task-new-account-q")).to_have_count(0)  # the account is fixed
    panel.locator("#task-new-title").fill("Plan the kickoff call")
    screenshot(f"task_new_account_form_{size}")
    panel.locator("form.task-new button[type=submit]").click()
    expect(page.locator("#account-tasks .task-new-done")).to_contain_text("Task created")
    expect(page.locator("#account-tasks .timeline")).to_contain_text("Plan the kickoff call")
    expect(page.locator("#account-tasks .badge").first).to_have_text("1 open")
    assert Task.objects.get().account_id == account.pk
    screenshot(f"task_new_account_done_{size}")
