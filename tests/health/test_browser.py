"""Browser: the scorecard editor's live band preview, and the account page's health card
(chart, reasons, override through htmx)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from accounts.models import Account
from health.models import HealthScore
from health.services import health_backfill, scorecard_default_ensure, today
from tests.factories.accounts import AccountFactory, ContactFactory, SubscriptionFactory, SupportTicketFactory
from tests.factories.usage import UsageEventFactory
from usage.rollups import usage_rollup_rebuild

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _book():
    scorecard_default_ensure()
    now = datetime.now(UTC)
    accounts = []
    for i in range(12):
        account = AccountFactory(name=f"Customer {i:02d}", mrr=Decimal(500 + 100 * i))
        SubscriptionFactory(
            account=account,
            seats=10,
            start_date=today() - timedelta(days=300),
            end_date=today() + timedelta(days=20 + 15 * i),
        )
        contacts = [ContactFactory(account=account) for _ in range(3)]
        fade = i < 4  # the first four fade out over the last weeks
        for offset in range(0, 75, 1 if i % 2 else 2):
            if fade and offset < 35 - 2 * i:
                continue
            UsageEventFactory(
                account=account,
                contact=contacts[offset % 3],
                event="report_created" if offset % 5 else "export_run",
                occurred_at=now - timedelta(days=offset, hours=1),
            )
        if fade:
            SupportTicketFactory(account=account, escalated=True)
        accounts.append(account)
    usage_rollup_rebuild()
    health_backfill(days=45)
    return accounts


def test_scorecard_editor_preview(page, login, admin_user, screenshot):
    _book()
    login(admin_user)
    page.goto("/health/scorecards/")
    page.get_by_role("link", name="Default").first.click()
    page.wait_for_selector("[data-testid=preview-accounts]")
    assert page.inner_text("[data-testid=preview-accounts]") == "12"
    before_green = int(page.inner_text("[data-testid=preview-green]"))
    page.fill("#id_green_from", "5")
    page.fill("#id_red_below", "0")
    page.locator("#id_name").click()  # blur -> change -> htmx preview
    page.wait_for_function("document.querySelector('[data-testid=preview-green]').textContent.trim() === '12'")
    screenshot("health_scorecard_preview")
    assert before_green < 12
    page.fill("#id_green_from", "70")
    page.fill("#id_red_below", "40")
    page.click("button[name=save]")
    page.wait_for_url("**/health/scorecards/")
    screenshot("health_scorecard_list")
    page.goto("/health/backtest/")
    page.wait_for_selector("[data-testid=horizon-30]")
    with page.expect_navigation(timeout=60_000):
        page.locator("form button[type=submit]", has_text="Train").click(no_wait_after=True)
    # No account of this small book churned: the page says why no model could be trained.
    assert "Not enough history" in page.inner_text(".messages")
    screenshot("health_backtest")


def test_account_health_card(page, login, csm_user, screenshot):
    accounts = _book()
    weak = min(accounts, key=lambda a: HealthScore.objects.get(account=a, day=today()).score)
    Account.objects.filter(pk=weak.pk).update(owner=csm_user)  # in the CSM's book: they may override
    login(csm_user)
    page.goto(f"/accounts/{weak.pk}/")
    card = page.locator("[data-testid=health-card]")
    card.wait_for()
    assert card.locator("[data-testid=pulling-down]").count() >= 1
    page.wait_for_function("document.querySelector('[data-testid=health-card] canvas').dataset.drawn === '1'")
    page.evaluate("window.scrollTo(0, 0)")
    page.add_style_tag(content=".topbar, .sidebar { position: static !important; }")  # element shots: no sticky overlay
    path = screenshot("health_account_page")
    card.screenshot(path=str(path.with_name("health_account_card.png")))
    page.fill("#ov-score", "82")
    page.fill("#ov-reason", "Exec sponsor committed to renewal")
    card.locator("button", has_text="Override").click()
    page.wait_for_selector("[data-testid=override-active]")
    assert "82" in page.inner_text("[data-testid=health-card] .health-score-big")
    assert Account.objects.get(pk=weak.pk).health_score == 82
    card.screenshot(path=str(path.with_name("health_account_card_override.png")))
