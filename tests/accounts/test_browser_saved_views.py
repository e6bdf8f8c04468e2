"""A CSM builds a saved view with and / or (two groups), watches the live count, saves it,
sees its tab with its count on the portfolio and exports it; desktop and phone (390 x 844).
Screenshots go to artifacts/screenshots/."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import SavedView
from tests.factories import AccountFactory, CustomFieldDefinitionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _settled(page) -> None:
    """htmx has swapped and processed the new markup (its listeners are on), not only put it in."""
    page.wait_for_function("!document.querySelector('.htmx-request, .htmx-settling, .htmx-added, .htmx-swapping')")
    page.wait_for_timeout(50)


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize(("device", "viewport"), [("desktop", (1440, 900)), ("phone", (390, 844))])
def test_build_save_and_export_a_view(page, login, screenshot, device, viewport):
    # given
    csm = UserFactory(first_name="Casey", last_name="Csm")
    CustomFieldDefinitionFactory(key="seats", field_type="number", labels={"en": "Seats target"})
    today = timezone.localdate()
    for i in range(3):
        AccountFactory(
            name=f"Key renewing {i}", tier="key", renewal_date=today + timedelta(days=30), mrr=Decimal("900")
        )
    AccountFactory(name="Key later", tier="key", renewal_date=today + timedelta(days=300))
    AccountFactory(name="Big standard", tier="standard", custom_fields={"seats": 800})
    AccountFactory(name="Small standard", tier="standard", custom_fields={"seats": 5})
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    login(csm)
    # when: a view "key accounts renewing within 90 days, or a seats target of 100 or more"
    page.goto("/accounts/")
    page.click("text=New view")
    page.wait_for_selector("#view-count >> text=Finish the conditions")
    page.fill("#id_name", "Renewals and big seats")
    first = page.locator(".cond-row").first
    first.locator("select.cond-multi").select_option(["key"])
    page.wait_for_function("document.querySelector('[data-testid=live-count]')?.innerText === '4'")
    rows = page.locator("#rows-0 .cond-row")
    with page.expect_response(lambda r: "/accounts/views/row/" in r.url):
        page.locator("#group-0").get_by_role("button", name="Add condition").click()
    rows.nth(1).wait_for()
    _settled(page)
    with page.expect_response(lambda r: "/accounts/views/row/" in r.url):
        rows.nth(1).locator("select").first.select_option("renewal_days")
    rows.nth(1).locator("input[type=number]").wait_for()
    _settled(page)
    rows.nth(1).locator("input[type=number]").fill("90")
    page.wait_for_function("document.querySelector('[data-testid=live-count]')?.innerText === '3'", timeout=20_000)
    with page.expect_response(lambda r: "new_group=1" in r.url):
        page.click("#add-group")
    page.wait_for_selector("#group-1 .cond-row")
    _settled(page)
    with page.expect_response(lambda r: "/accounts/views/row/" in r.url):
        page.locator("#group-1 .cond-row select").first.select_option("cf.seats")
    page.wait_for_selector("#group-1 .cond-row select[name$=-op] >> option[value=gte]", state="attached")
    _settled(page)
    with page.expect_response(lambda r: "/accounts/views/row/" in r.url):
        page.locator("#group-1 .cond-row select[name$=-op]").select_option("gte")
    _settled(page)
    page.locator("#group-1 .cond-row input[name$=-value]").fill("100")
    page.check("input[name=match][value=any]")
    page.wait_for_function("document.querySelector('[data-testid=live-count]')?.innerText === '4'", timeout=20_000)
    page.check("input[name=shared]")
    screenshot(f"view-builder-{device}")
    assert _fits(page), "the builder scrolls sideways"
    page.click("text=Save view")
    # then: the portfolio shows the view as a tab with its count, and only its accounts
    page.wait_for_url("**/accounts/?view=*")
    view = SavedView.objects.get()
    assert view.shared and view.definition["match"] == "any" and len(view.definition["groups"]) == 2
    page.wait_for_function(f"document.querySelector('#view-count-{view.pk}').innerText === '4'")
    table = page.locator("[data-testid=portfolio-table]").inner_text()
    assert "Big standard" in table and "Key renewing 0" in table
    assert "Key later" not in table and "Small standard" not in table
    screenshot(f"view-tab-{device}")
    assert _fits(page), "the portfolio scrolls sideways"
    with page.expect_download() as download:
        page.click("[data-testid=view-export]")
    content = open(download.value.path(), encoding="utf-8").read()
    assert content.splitlines()[0].endswith("Seats target") and len(content.splitlines()) == 5
