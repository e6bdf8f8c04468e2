"""Playwright: the renewal board (drag a card on desktop, the arrow buttons on a phone), the
opportunity list's filters and the forecast page, at desktop and phone sizes. Screenshots go to
artifacts/screenshots/."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from renewals.choices import ForecastCategory, StageKind
from renewals.models import ForecastAccuracy, Opportunity
from tests.factories import AccountFactory, UserFactory
from tests.factories.renewals import OpportunityFactory, default_pipeline, stage_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


def _book(csm):
    stages = default_pipeline()
    today = date.today()
    acme = AccountFactory(name="Acme Analytics", owner=csm, health_band="green", health_score=82)
    globex = AccountFactory(name="Globex Retail", owner=csm, health_band="red", health_score=31)
    initech = AccountFactory(
        name="Initech", owner=UserFactory(first_name="Other"), health_band="yellow", health_score=55
    )
    OpportunityFactory(
        account=acme,
        amount=Decimal("48000"),
        close_date=today + timedelta(days=20),
        category=ForecastCategory.COMMIT,
        renew_probability=0.9,
        next_step="Send the order form",
    )
    OpportunityFactory(
        account=globex,
        amount=Decimal("18000"),
        close_date=today + timedelta(days=45),
        stage=stages[1],
        category=ForecastCategory.AT_RISK,
        renew_probability=0.4,
    )
    OpportunityFactory(
        account=initech,
        amount=Decimal("9000"),
        close_date=today + timedelta(days=200),
        kind="expansion",
        stage=stages[2],
        category=ForecastCategory.BEST_CASE,
    )
    OpportunityFactory(
        account=initech,
        amount=Decimal("6000"),
        close_date=today - timedelta(days=3),
        stage=stage_of(StageKind.WON),
        category=ForecastCategory.COMMIT,
    )
    return stages


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_board_move_a_card(page, login, screenshot, csm_user, size):
    page.set_viewport_size(VIEWPORTS[size])
    stages = _book(csm_user)
    login(csm_user)
    page.goto("/renewals/")
    card = page.locator('.opp-card[data-account="Acme Analytics"]')
    expect(card).to_be_visible()
    screenshot(f"renewals_board_{size}")
    first, second = (page.locator(f'.opp-col[data-stage="{s.pk}"]') for s in stages[:2])
    expect(first.locator(".opp-card")).to_have_count(1)
    if size == "desktop":
        card.drag_to(second.locator(".cards"))
    else:
        card.get_by_role("button", name=f"Move to {stages[1].name}").click()
    expect(second.locator('.opp-card[data-account="Acme Analytics"]')).to_be_visible()
    expect(first.locator(".opp-card")).to_have_count(0)
    assert Opportunity.objects.get(account__name="Acme Analytics").stage_id == stages[1].pk
    # the keyboard path: focus the card's arrow and press Enter
    moved = second.locator('.opp-card[data-account="Acme Analytics"]')
    moved.get_by_role("button", name=f"Move to {stages[2].name}").focus()
    page.keyboard.press("Enter")
    expect(
        page.locator(f'.opp-col[data-stage="{stages[2].pk}"] .opp-card[data-account="Acme Analytics"]')
    ).to_be_visible()
    screenshot(f"renewals_board_moved_{size}")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_list_filters(page, login, screenshot, csm_user, size):
    page.set_viewport_size(VIEWPORTS[size])
    _book(csm_user)
    login(csm_user)
    page.goto("/renewals/opportunities/")
    rows = page.locator('[data-testid="opp-table"] tbody tr[data-opportunity]')
    expect(rows).to_have_count(4)
    page.select_option("#id_owner", "me")
    expect(rows).to_have_count(2)
    page.select_option("#id_category", ForecastCategory.AT_RISK)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Globex Retail")
    assert "category=at_risk" in page.url
    screenshot(f"renewals_list_{size}")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_forecast_page(page, login, screenshot, manager_user, csm_user, size):
    page.set_viewport_size(VIEWPORTS[size])
    _book(csm_user)
    for k, (expected, actual, naive) in enumerate([(900, 1000, 850), (1100, 1000, 900), (1300, 1250, 1150)]):
        ForecastAccuracy.objects.create(
            quarter_start=date(2025, 1 + 3 * k, 1),
            up_for_renewal=1400,
            expected=expected * 100,
            naive=naive * 100,
            actual=actual * 100,
            terms=40,
        )
    login(manager_user)
    page.goto("/renewals/forecast/")
    kpis = page.locator('[data-testid="forecast-kpis"]')
    expect(kpis).to_contain_text("Up for renewal")
    expect(page.locator('[data-testid="accuracy"]')).to_contain_text("2025 Q1")
    expect(page.locator('canvas[data-chart="chart-accuracy"]')).to_be_visible()
    screenshot(f"renewals_forecast_{size}")
    page.select_option("#id_csm", str(csm_user.pk))
    expect(page.locator('[data-testid="by-csm"] tbody tr')).to_have_count(1)
    assert f"csm={csm_user.pk}" in page.url


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_new_opportunity_from_the_account_page(page, login, screenshot, csm_user, size):
    page.set_viewport_size(VIEWPORTS[size])
    default_pipeline()
    account = AccountFactory(name="Umbrella Corp", external_id="umbrella", owner=csm_user, currency="EUR")
    login(csm_user)
    page.goto(f"/accounts/{account.pk}/")
    panel = page.locator("#account-opportunities")
    expect(panel).to_contain_text("No opportunity yet.")
    panel.get_by_role("link", name="New").click()
    expect(page.locator("#id_account")).to_have_value("umbrella")
    page.select_option("#id_kind", "expansion")
    page.fill("#id_amount", "-5")
    page.fill("#id_next_step", "Demo the analytics add-on")
    page.click("form button[type=submit]")
    expect(page.locator(".errorlist")).to_be_visible()  # refused on the field
    screenshot(f"renewals_form_error_{size}")
    page.fill("#id_amount", "24000")
    page.click("form button[type=submit]")
    expect(page.locator("#account-opportunities")).to_contain_text("Demo the analytics add-on")
    o = Opportunity.objects.get()
    assert (o.kind, o.amount, o.currency, o.owner_id) == ("expansion", Decimal("24000.00"), "EUR", csm_user.pk)
    screenshot(f"renewals_account_panel_{size}")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_pipeline_page_adds_a_stage(page, login, screenshot, admin_user, size):
    page.set_viewport_size(VIEWPORTS[size])
    default_pipeline()
    login(admin_user)
    page.goto("/renewals/pipeline/")
    page.get_by_role("link", name="New stage").click()
    page.fill("#id_name", "Legal review")
    page.fill("#id_order", "35")
    page.fill("#id_probability", "80")
    page.click("form button[type=submit]")
    expect(page.locator('[data-testid="stages"]')).to_contain_text("Legal review")
    screenshot(f"renewals_pipeline_{size}")
