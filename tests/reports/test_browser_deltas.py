"""Playwright: the dashboard's CES change is green when CES rises (easier), as the other
higher-is-better metrics (issue 15, item 13)."""

from datetime import UTC, datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from reports.periods import add_months
from tests.factories.surveys import SurveyResponseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rising_ces_is_green(page, login, screenshot, manager_user, small_book):
    before = datetime.combine(add_months(small_book["last"], -1) + timedelta(days=5), time(10), tzinfo=UTC)
    last = datetime.combine(small_book["last"] + timedelta(days=5), time(10), tzinfo=UTC)
    SurveyResponseFactory(kind="ces", account=small_book["a"], score=3, submitted_at=before)
    SurveyResponseFactory(kind="ces", account=small_book["a"], score=6, submitted_at=last)
    login(manager_user)
    page.goto("/dashboard/?period=last_month")
    change = page.locator("[data-kpi=ces] .prev span").first
    expect(change).to_have_text("+3.0")
    expect(change).to_have_class("delta up")
    green = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--green-700')").strip()
    assert green and page.evaluate("(el) => getComputedStyle(el).color", change.element_handle()) == page.evaluate(
        "(c) => { const s = document.createElement('span'); s.style.color = c; document.body.append(s);"
        " const v = getComputedStyle(s).color; s.remove(); return v; }",
        green,
    )
    page.locator(".kpi-grid").scroll_into_view_if_needed()
    screenshot("reports_dashboard_ces_green", full_page=False)
