"""Playwright, fresh browser: the counts follow the CSM's actions without a reload (issue 15,
item 7). Completing a task moves the sidebar badge, the inbox summary and the group count; an
override moves the account header's health figure. Screenshots to look at."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from health.models import Scorecard, ScorecardMeasure
from health.services import health_recompute
from playbooks.models import Task
from tests.factories import AccountFactory
from tests.factories.playbooks import TaskFactory
from tests.factories.usage import UsageEventFactory
from usage.rollups import usage_rollup_rebuild

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _mark_page(page):
    """A flag on window: still there afterwards = no reload happened."""
    page.evaluate("window.__no_reload = true")


def test_completing_a_task_updates_every_count(page, login, screenshot, csm_user):
    # given: three tasks, two overdue
    today = timezone.now().date()
    account = AccountFactory(owner=csm_user, name="Acme Analytics")
    late = TaskFactory(account=account, title="Call the sponsor", due_date=today - timedelta(days=2))
    TaskFactory(account=account, title="Send the QBR deck", due_date=today - timedelta(days=1))
    TaskFactory(account=account, title="Check the export", due_date=today)
    login(csm_user)
    page.goto("/tasks/")
    badge, summary = page.locator("#nav-badge-tasks"), page.locator("#inbox-summary")
    expect(badge).to_have_text("3")
    expect(summary).to_have_text("3 open · 2 overdue · 1 due today")
    expect(page.locator("#group-count-overdue")).to_have_text("2")
    _mark_page(page)
    counts_requests = []
    page.on("request", lambda r: counts_requests.append(r.url) if "/tasks/counts/" in r.url else None)
    # when: the CSM completes the oldest task from its row
    row = page.locator(f"#task-{late.pk}")
    row.locator("input[name=outcome_note]").fill("Sponsor confirmed the renewal.")
    row.get_by_role("button", name="Done").click()
    # then: everything moved, in place
    expect(page.locator(f"#task-{late.pk}")).to_contain_text("Outcome on the account's timeline")
    expect(badge).to_have_text("2")
    expect(summary).to_have_text("2 open · 1 overdue · 1 due today")
    expect(page.locator("#group-count-overdue")).to_have_text("1")
    assert page.evaluate("window.__no_reload") is True
    assert counts_requests == []  # the answer carried the counts: no second request
    screenshot("tasks-counts-after-done")


def test_a_plain_tasks_changed_event_fetches_the_counts(page, login, csm_user):
    """A view that only says `HX-Trigger: tasks-changed` (no counts in its answer) still moves them."""
    today = timezone.now().date()
    account = AccountFactory(owner=csm_user)
    first = TaskFactory(account=account, due_date=today)
    TaskFactory(account=account, due_date=today)
    login(csm_user)
    page.goto("/")
    expect(page.locator("#nav-badge-tasks")).to_have_text("2")
    _mark_page(page)
    Task.objects.filter(pk=first.pk).update(status="done")  # changed by some other view
    with page.expect_response(lambda r: "/tasks/counts/" in r.url):
        page.evaluate("htmx.trigger(document.body, 'tasks-changed')")
    expect(page.locator("#nav-badge-tasks")).to_have_text("1")
    assert page.evaluate("window.__no_reload") is True


def test_an_override_updates_the_account_header(page, login, screenshot, csm_user):
    # given: a green account (usage every day)
    Scorecard.objects.create(name="Default", is_default=True, red_below=40, green_from=70)
    ScorecardMeasure.objects.create(
        scorecard=Scorecard.objects.get(), measure_key="usage_frequency", weight=30, points=[[0, 0], [20, 100]]
    )
    account = AccountFactory(owner=csm_user, name="Globex Retail")
    today = timezone.now().date()
    for offset in range(20):
        when = datetime.combine(today - timedelta(days=offset), datetime.min.time(), tzinfo=UTC)
        UsageEventFactory(account=account, occurred_at=when)
    usage_rollup_rebuild()
    health_recompute()
    login(csm_user)
    page.goto(f"/accounts/{account.pk}/")
    header = page.locator("#account-health-kpi")
    expect(header).to_contain_text("100")
    expect(header).to_contain_text("Green")
    _mark_page(page)
    # when: the CSM overrides the score from the health card
    card = page.locator("#health-card")
    card.locator("#ov-score").fill("25")
    card.locator("#ov-reason").fill("Champion left last week")
    card.locator("#ov-until").fill((today + timedelta(days=14)).isoformat())
    card.get_by_role("button", name="Override", exact=True).click()
    # then: the header follows without a reload
    expect(page.get_by_test_id("override-active")).to_be_visible()
    expect(header).to_contain_text("25")
    expect(header).to_contain_text("Red")
    assert page.evaluate("window.__no_reload") is True
    page.evaluate("window.scrollTo(0, 0)")
    screenshot("account-header-after-override", full_page=False)
    # and removing the override puts the measured score back
    page.get_by_test_id("override-active").get_by_role("button", name="Remove").click()
    expect(header).to_contain_text("100")
    expect(header).to_contain_text("Green")
