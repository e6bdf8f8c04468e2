"""The exchange-rate page and a parent account's page in Debian's Chromium, on a desktop and on a
phone (390 x 844): a manager sets a rate, the missing-rate warning goes away, the parent page shows
its subsidiaries and the rolled-up ARR. Screenshots in artifacts/screenshots/fx_*.png."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.currency import account_base_mrr_refresh
from accounts.models import FxRate
from core.choices import Role
from tests.factories import AccountFactory, SubscriptionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


def _paying(name, mrr, currency="USD", **kwargs):
    account = AccountFactory(name=name, currency=currency, mrr=Decimal(mrr), **kwargs)
    SubscriptionFactory(account=account, mrr=Decimal(mrr), currency=currency, start_date=date(2024, 1, 1))
    return account


@pytest.mark.parametrize("size", VIEWPORTS)
def test_manager_sets_a_missing_rate_and_reads_a_parent_page(page, login, screenshot, size):
    page.set_viewport_size(VIEWPORTS[size])
    manager = UserFactory(username=f"mia-{size}", role=Role.MANAGER)
    manager.set_password("pass1234!")
    manager.save()
    parent = _paying("Globex Group", 3000, owner=manager, health_score=80, health_band="green")
    _paying("Globex GmbH", 1000, "EUR", parent=parent, owner=manager, health_score=40, health_band="red")
    _paying("Globex Ltd", 500, "GBP", parent=parent, owner=manager, health_score=62, health_band="yellow")
    account_base_mrr_refresh()
    month = timezone.now().date().replace(day=1)
    login(manager)

    page.goto("/accounts/fx-rates/")
    warning = page.locator("[data-testid=fx-missing]")
    assert "EUR" in warning.inner_text() and "GBP" in warning.inner_text()
    screenshot(f"fx_rates_missing_{size}")
    form = page.locator("[data-testid=fx-form]")
    form.locator("input[name=currency]").fill("EUR")
    form.locator("input[name=month]").fill(f"{month:%Y-%m}")
    form.locator("input[name=rate]").fill("1.1")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=fx-table] td:has-text('EUR')")
    assert FxRate.objects.get(currency="EUR", month=month).rate == Decimal("1.1")
    assert "EUR" not in page.locator("[data-testid=fx-missing]").inner_text()  # only GBP is missing now
    screenshot(f"fx_rates_{size}")

    page.goto(f"/accounts/{parent.pk}/")
    card = page.locator("[data-testid=subsidiaries]")
    assert "Globex GmbH" in card.inner_text() and "Globex Ltd" in card.inner_text()
    assert page.locator("[data-testid=rollup-arr]").inner_text().startswith("$49k")  # (3,000 + 1,100) x 12
    card.scroll_into_view_if_needed()
    screenshot(f"fx_parent_account_{size}")

    page.goto("/accounts/?rollup=parents")
    assert "with 2 subsidiaries" in page.locator("[data-testid=portfolio-table]").inner_text()
    assert "GBP" in page.locator("[data-testid=portfolio-fx-warning]").inner_text()
    screenshot(f"fx_portfolio_rollup_{size}")
