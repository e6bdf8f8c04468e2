"""Playwright (issue 15, item 15): a CSM filters an account's timeline by kind, author and dates
(the entries re-render in place; a reversed date range is refused where it was entered), at
desktop and phone sizes. Screenshots go to artifacts/screenshots/."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Activity
from tests.factories import AccountFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_filter_the_timeline(page, login, screenshot, csm_user, size):
    # given: an account with a month of mixed entries
    page.set_viewport_size(VIEWPORTS[size])
    account = AccountFactory(name="Acme Analytics", owner=csm_user)
    olga = UserFactory(first_name="Olga", last_name="Ortiz")
    now = timezone.now()
    entries = [
        ("note", csm_user, "Kickoff notes", {}, 20),
        ("call", olga, "Call with the CTO", {}, 15),
        ("system", None, "NPS 3 (detractor) from Ann", {"survey_response_id": 1}, 10),
        ("system", None, "Lifecycle stage Adoption → At risk", {}, 5),
        ("meeting", csm_user, "QBR with finance", {}, 2),
    ]
    for kind, author, subject, metadata, days_ago in entries:
        Activity.objects.create(
            account=account,
            kind=kind,
            author=author,
            subject=subject,
            metadata=metadata,
            occurred_at=now - timedelta(days=days_ago),
        )
    login(csm_user)
    page.goto(f"/accounts/{account.pk}/")
    items = page.locator("#timeline-items")
    expect(items.locator("li[data-activity]")).to_have_count(5)
    # when: survey answers only
    page.locator("#timeline-filter .chip", has_text="Survey answers").locator("input").check()
    # then
    expect(items.locator("li[data-activity]")).to_have_count(1)
    expect(items).to_contain_text("NPS 3 (detractor) from Ann")
    expect(items).to_contain_text("Survey answer")
    # when: calls too, by Olga only
    page.locator("#timeline-filter .chip", has_text="Calls").locator("input").check()
    page.select_option("#timeline-filter select[name=author]", label="Olga Ortiz")
    expect(items.locator("li[data-activity]")).to_have_count(1)
    expect(items).to_contain_text("Call with the CTO")
    screenshot(f"timeline_filter_{size}")
    # when: a reversed date range
    page.select_option("#timeline-filter select[name=author]", value="")
    page.fill("#timeline-filter input[name=since]", (now - timedelta(days=1)).date().isoformat())
    page.fill("#timeline-filter input[name=until]", (now - timedelta(days=30)).date().isoformat())
    page.locator("#timeline-filter button[type=submit]").click()
    expect(items.locator("[role=alert]")).to_contain_text("The end comes before the start.")
    screenshot(f"timeline_filter_error_{size}")
    # when: a real range, every kind
    for label in ("Survey answers", "Calls"):
        page.locator("#timeline-filter .chip", has_text=label).locator("input").uncheck()
    page.fill("#timeline-filter input[name=since]", (now - timedelta(days=16)).date().isoformat())
    page.fill("#timeline-filter input[name=until]", (now - timedelta(days=4)).date().isoformat())
    page.locator("#timeline-filter button[type=submit]").click()
    expect(items.locator("li[data-activity]")).to_have_count(3)
    expect(items).not_to_contain_text("Kickoff notes")
    expect(items).not_to_contain_text("QBR with finance")
