"""A CSM's first minutes, in Debian's Chromium: log in, find an account from the top bar,
open it, add a call to the timeline (in place, no reload) and see it there. Screenshots of
the portfolio and the account page go to artifacts/screenshots/."""

import re

import pytest
from django.core.management import call_command

from accounts.models import Account
from core.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    call_command("seed_demo", "--accounts", "60", "--seed", "5", verbosity=0)
    csm = User.objects.get(username="csm1")
    account = Account.objects.filter(owner=csm, mrr__gt=0).exclude(lifecycle_stage="churned").order_by("-mrr").first()
    return csm, account


def test_csm_finds_an_account_and_adds_a_note(page, login, screenshot, demo):
    csm, account = demo
    login(csm, password="demo1234")

    # the portfolio, as the team sees it
    page.goto("/accounts/")
    page.wait_for_selector("[data-testid=portfolio-table]")
    screenshot("portfolio")

    # search from the top bar
    page.fill("header .search input[name=q]", account.name)
    page.press("header .search input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"/accounts/\?q="))
    rows = page.locator("[data-testid=portfolio-table] tbody tr")
    assert rows.count() >= 1
    page.get_by_role("link", name=account.name, exact=True).click()
    page.wait_for_url(f"**/accounts/{account.pk}/")
    assert page.locator("h1").inner_text() == account.name
    page.wait_for_selector("#usage-chart")

    # filters update the results in place too
    # add a call; the timeline swaps in place (the marker survives: no page load)
    page.evaluate("window.__noReload = true")
    page.get_by_label("Call", exact=True).check()
    page.fill("#timeline input[name=subject]", "Renewal prep with the sponsor")
    page.fill("#timeline textarea[name=body]", "Budget approved; they want SSO before signing.")
    page.click("#timeline button[type=submit]")
    first = page.locator("#timeline-items li").first
    first.wait_for()
    page.wait_for_function("document.querySelector('#timeline-items li').innerText.includes('Renewal prep')")
    assert "Budget approved; they want SSO before signing." in first.inner_text()
    assert "Call" in first.inner_text() and str(csm) in first.inner_text()
    assert page.evaluate("window.__noReload") is True
    assert page.input_value("#timeline textarea[name=body]") == ""
    account.refresh_from_db()
    assert account.activities.filter(subject="Renewal prep with the sponsor", author=csm).exists()
    page.evaluate("window.scrollTo(0, 0)")
    screenshot("account_detail")


def test_portfolio_filters_update_in_place(page, login, demo):
    csm, _ = demo
    login(csm, password="demo1234")
    page.goto("/accounts/")
    page.evaluate("window.__noReload = true")
    total = Account.objects.count()
    strategic = Account.objects.filter(tier="strategic").count()

    page.select_option("#portfolio-filters select[name=tier]", "strategic")
    page.wait_for_url(re.compile(r"tier=strategic"))
    page.wait_for_function(
        f"document.querySelector('.pagination span').innerText.includes('of {strategic}') || {strategic} === 0"
    )

    assert page.evaluate("window.__noReload") is True
    assert page.locator("[data-testid=portfolio-table] tbody tr").count() == min(strategic, 50) or strategic == 0
    assert str(total) not in page.locator("#portfolio-kpis .kpi .value").first.inner_text() or total == strategic


def test_sorting_from_a_column_header_keeps_the_sort_control_in_step(page, login, demo):
    csm, _ = demo
    login(csm, password="demo1234")
    page.goto("/accounts/")
    page.click("[data-testid=portfolio-table] thead a:has-text('Renewal')")
    page.wait_for_url(re.compile(r"sort=renewal"))
    page.wait_for_function("document.querySelector('select[name=sort]').value === 'renewal'")

    page.select_option("#portfolio-filters select[name=tier]", "key")
    page.wait_for_url(re.compile(r"tier=key"))

    assert "sort=renewal" in page.url
    dates = page.locator("[data-testid=portfolio-table] tbody tr td:nth-child(7)").all_inner_texts()
    assert dates and dates[0] != "—"
