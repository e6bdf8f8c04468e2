"""Playwright (issue 17): a CSM edits account fields in place on the account page (a bad value is
refused on the field, a good one lands on the timeline), and a manager moves accounts from the
portfolio to another CSM with their tasks, follows the progress and undoes it; desktop and phone.
Screenshots go to artifacts/screenshots/."""

from unittest import mock

import pytest
from playwright.sync_api import expect

from accounts import reassign
from accounts.models import Account, ReassignmentJob
from core.choices import Role
from tests.factories import AccountFactory, UserFactory
from tests.factories.playbooks import TaskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_edit_fields_in_place(page, login, screenshot, csm_user, size):
    # given
    page.set_viewport_size(VIEWPORTS[size])
    account = AccountFactory(name="Acme Analytics", owner=csm_user, domain="acme.test", segment="SMB")
    login(csm_user)
    page.goto(f"/accounts/{account.pk}/")
    card = page.locator("#details-card")
    card.scroll_into_view_if_needed()
    # when: a bad domain
    card.locator("#field-account-domain .field-edit").click()
    field = card.locator("#input-account-domain")
    expect(field).to_be_visible()
    field.fill("not a domain")
    card.locator("#field-account-domain button[type=submit]").click()
    # then: refused on the field, nothing saved
    expect(card.locator("#field-account-domain .errorlist")).to_contain_text("example.com")
    screenshot(f"edit_in_place_error_{size}")
    # when: a good value, then the tier from its list
    card.locator("#input-account-domain").fill("acme-analytics.com")
    card.locator("#field-account-domain button[type=submit]").click()
    expect(card.locator("#field-account-domain .field-value")).to_have_text("acme-analytics.com")
    card.locator("#field-account-tier .field-edit").click()
    card.locator("#input-account-tier").select_option("key")
    card.locator("#field-account-tier button[type=submit]").click()
    expect(card.locator("#field-account-tier .field-value")).to_have_text("Key")
    # then: each save is on the timeline, with before and after
    timeline = page.locator("#timeline-items")
    expect(timeline.locator("li.kind-change")).to_have_count(2)
    expect(timeline.locator("li.kind-change").first).to_contain_text("Standard")
    account.refresh_from_db()
    assert (account.domain, account.tier) == ("acme-analytics.com", "key")
    card.scroll_into_view_if_needed()
    screenshot(f"edit_in_place_{size}")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_reassign_from_the_portfolio_and_undo(page, login, screenshot, manager_user, monkeypatch, size):
    # given: a leaving CSM's book of 5 with tasks; a small inline limit so the move is a background job
    monkeypatch.setattr(reassign, "INLINE_LIMIT", 2)
    monkeypatch.setattr(reassign, "CHUNK", 2)
    page.set_viewport_size(VIEWPORTS[size])
    leaving = UserFactory(role=Role.CSM, manager=manager_user, first_name="Lee", last_name="Leaving")
    taking = UserFactory(role=Role.CSM, manager=manager_user, first_name="Tia", last_name="Taker")
    book = [AccountFactory(owner=leaving, name=f"Book {i}") for i in range(5)]
    task = TaskFactory(account=book[0], assignee=leaving)
    login(manager_user)
    page.goto(f"/accounts/?owner={leaving.pk}")
    # when: tick the page, choose Tia, move with open tasks
    page.locator("#select-page").check()
    expect(page.locator("#selected-count")).to_contain_text("5")
    page.select_option("#id_to_owner", label="Tia Taker")
    screenshot(f"reassign_selected_{size}")
    # (the worker is held back so the page can be seen while the job waits)
    with mock.patch("accounts.tasks.reassignment_run_task.delay") as queued:
        page.locator("[data-testid=reassign-submit]").click()
        status = page.locator("[data-testid=reassign-status]")
        expect(status).to_contain_text("Moving 0 of 5 accounts to Tia Taker")
    job = ReassignmentJob.objects.get()
    assert queued.call_args.args == (job.pk,)
    assert status.get_attribute("hx-trigger") == "every 1s"
    screenshot(f"reassign_running_{size}", full_page=False)
    # then: the worker runs it; the page, polling every second, ends "Moved 5 accounts"
    reassign.reassignment_run(job_id=job.pk)
    expect(status).to_contain_text("Moved 5 accounts to Tia Taker", timeout=15_000)
    expect(status).to_contain_text("Open tasks (1)")
    screenshot(f"reassign_done_{size}")
    assert Account.objects.filter(owner=taking).count() == 5
    task.refresh_from_db()
    assert task.assignee == taking
    # when: undo
    page.locator("[data-testid=reassign-undo]").click()
    expect(page.locator("[data-testid=reassign-status]")).to_contain_text("Undone")
    assert Account.objects.filter(owner=leaving).count() == 5
    task.refresh_from_db()
    assert task.assignee == leaving
