"""Playwright: a CSM creates a personal API token and revokes it, on desktop and phone."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_personal_token_page(page, login, screenshot, csm_user, size):
    page.set_viewport_size(VIEWPORTS[size])
    login(csm_user)
    page.goto("/team/tokens/")
    page.fill("#id_name", "Laptop script")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("[data-testid=new-token]")).to_contain_text("csk_")
    expect(page.locator("[data-testid=token-table]")).to_contain_text("Laptop script")
    screenshot(f"personal_tokens_{size}")
    page.get_by_role("button", name="Revoke").click()
    expect(page.locator("[data-testid=token-table]")).to_contain_text("Revoked")
