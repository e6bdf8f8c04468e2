"""Playwright: connecting HubSpot through OAuth (the local HubSpot's consent answers at once),
mapping a field with the 10-record preview, a sync and its log; desktop, phone, and the phone
page right to left. Screenshots in artifacts/screenshots/connectors-*.png."""

import pytest
from playwright.sync_api import expect

from connectors.models import Connection
from tests.factories import UserFactory

from .helpers import seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


def _fits(page):
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, f"the page is {width}px wide"


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_connect_map_preview_and_sync(page, login, screenshot, hubspot, size):
    page.set_viewport_size(VIEWPORTS[size])
    admin = UserFactory(username="admin", role="admin", email="admin@example.com")
    seed(hubspot, companies=3)
    for i in range(3, 12):
        hubspot.add("companies", {"name": f"Company {i}", "domain": f"c{i}.example", "customer_tier": "key"})
    login(admin)

    page.goto("/connectors/")
    page.get_by_role("link", name="Add a connection").first.click()
    page.select_option("#id_kind", "hubspot")
    page.fill("#id_name", "Our HubSpot")
    page.select_option("#id_auth", "oauth")
    page.fill("#id_client_id", "client-1")
    page.fill("#id_client_secret", "secret-1")
    page.fill("#id_base_url", hubspot.url)
    page.fill("#id_authorize_url", f"{hubspot.url}/oauth/authorize")
    screenshot(f"connectors-add-{size}")
    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_text("Connected to HubSpot.")).to_be_visible()  # there and back through the vendor
    assert Connection.objects.get(name="Our HubSpot").status == "active"
    _fits(page)
    screenshot(f"connectors-detail-{size}")

    page.locator("tr", has_text="Companies").get_by_role("link", name="Mapping").click()
    last = page.locator(".mapping-table tbody tr").last
    last.locator("input[name=remote_field]").fill("customer_tier")
    last.locator("select[name=local_field]").select_option("tier")
    page.get_by_role("button", name="Preview 10 records").click()
    preview = page.locator("#preview-table tbody tr")
    expect(preview).to_have_count(10)
    expect(page.locator("#preview-table")).to_contain_text("Company 0")
    _fits(page)
    screenshot(f"connectors-mapping-{size}")
    page.get_by_role("button", name="Save mapping").click()
    expect(page.get_by_text("Mapping saved.")).to_be_visible()

    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("#run-status")).to_contain_text("Succeeded")
    expect(page.locator(".run-counts")).to_contain_text("Created")
    assert "21" in page.locator(".run-counts .kpi").first.inner_text()  # 12 companies, 6 contacts, 3 deals
    _fits(page)
    screenshot(f"connectors-run-{size}")
    page.get_by_role("link", name="Back to the connection").click()
    expect(page.locator("#runs tbody tr")).to_have_count(1)

    if size == "phone":  # right to left: logical properties keep the page inside the screen
        page.evaluate("document.documentElement.dir = 'rtl'")
        page.goto(page.url)
        page.evaluate("document.documentElement.dir = 'rtl'")
        _fits(page)
        screenshot("connectors-detail-phone-rtl")
