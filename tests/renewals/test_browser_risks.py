"""Risks in a real browser, desktop and phone: open a risk from the account page's Risks panel,
find it on the risks list with a filter, close it as saved; the reports render their charts.
Screenshots go to artifacts/screenshots/."""

from decimal import Decimal

import pytest

from renewals.models import ReasonCode, Risk
from tests.factories import AccountFactory
from tests.factories.renewals import ChurnReasonFactory, RiskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_open_find_and_close_a_risk(page, login, screenshot, csm_user, size):
    page.set_viewport_size(VIEWPORTS[size])
    account = AccountFactory(name="Globex", owner=csm_user, mrr=Decimal("2000"))
    RiskFactory(
        account=AccountFactory(name="Initech"), reason_code=ReasonCode.objects.get(code="support"), type="product"
    )
    login(csm_user)
    page.goto(f"/accounts/{account.pk}/")
    panel = page.locator("#panel-risks")
    panel.scroll_into_view_if_needed()
    screenshot(f"renewals_risk_panel_empty_{size}")
    panel.get_by_role("link", name="Open a risk").click()
    page.select_option("#id_type", "churn")
    page.select_option("#id_reason_code", label="Moved to a competitor")
    page.select_option("#id_severity", "high")
    page.fill("#id_mitigation_plan", "Exec sponsor call, roadmap preview")
    screenshot(f"renewals_risk_form_{size}")
    page.get_by_role("button", name="Open the risk").click()
    page.wait_for_url(f"**/accounts/{account.pk}/")
    assert page.locator("#panel-risks").get_by_text("Churn · Moved to a competitor").is_visible()
    page.locator("#panel-risks").scroll_into_view_if_needed()
    screenshot(f"renewals_risk_panel_{size}")

    page.goto("/risks/")
    page.select_option("select[name=type]", "churn")
    page.wait_for_selector("[data-testid=risk-table] >> text=Initech", state="detached")  # the htmx swap
    assert page.locator("[data-testid=risk-table] >> text=Globex").is_visible()
    screenshot(f"renewals_risk_list_{size}")
    page.locator("[data-testid=risk-table] >> text=Globex").click()
    page.locator("#risk-close input[value=saved]").check()
    page.fill("#risk-close textarea", "Renewed for two years")
    page.locator("#risk-close button[type=submit]").click()
    page.wait_for_selector("#risk-outcome")
    screenshot(f"renewals_risk_closed_{size}")
    assert Risk.objects.get(account=account).status == "saved"


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_reports_draw_their_bars(page, login, screenshot, manager_user, size):
    page.set_viewport_size(VIEWPORTS[size])
    for code, arr in (("price", 30000), ("competitor", 18000), ("low_adoption", 7000)):
        RiskFactory(reason_code=ReasonCode.objects.get(code=code), arr_at_risk=Decimal(arr))
        ChurnReasonFactory(reason_code=ReasonCode.objects.get(code=code), arr_lost=Decimal(arr) / 2)
    login(manager_user)
    page.goto("/risks/report/")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.querySelector('canvas[data-chart]'))")
    screenshot(f"renewals_report_at_risk_{size}")
    page.goto("/risks/lost/")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.querySelector('canvas[data-chart]'))")
    screenshot(f"renewals_report_lost_{size}")
    assert page.locator("#total-lost").inner_text() == "$28k"  # 15,000 + 9,000 + 3,500
