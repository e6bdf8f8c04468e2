"""An admin defines a custom field on the staff page, then edits it in place on an account (a
bad value is refused on the field, a good one shows typed); desktop and phone (390 x 844).
Screenshots go to artifacts/screenshots/."""

import pytest

from accounts.models import Account, Activity, CustomFieldDefinition
from core.choices import Role
from tests.factories import AccountFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize(("device", "viewport"), [("desktop", (1440, 900)), ("phone", (390, 844))])
def test_define_a_field_and_edit_it_on_an_account(page, login, screenshot, device, viewport):
    # given
    admin = UserFactory(role=Role.ADMIN, first_name="Ada", last_name="Admin")
    account = AccountFactory(name="Acme Corp", currency="EUR", owner=admin)
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    login(admin)
    # when: the admin defines a money field
    page.goto("/accounts/custom-fields/")
    page.click("text=New field")
    page.select_option("#id_field_type", "money")
    page.fill("#id_key", "budget")
    page.fill("#id_label_en", "Budget")
    page.fill("#id_label_ar", "الميزانية")
    screenshot(f"custom-field-form-{device}")
    assert _fits(page), "the form scrolls sideways"
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=custom-fields] >> text=budget")
    screenshot(f"custom-field-list-{device}")
    assert _fits(page), "the list scrolls sideways"
    assert CustomFieldDefinition.objects.filter(key="budget", field_type="money").exists()
    # and edits it on the account, in place
    page.goto(f"/accounts/{account.pk}/")
    panel = page.locator("[data-testid=custom-fields-panel]")
    panel.get_by_role("button", name="Edit Budget").click()
    panel.locator("input[name=value]").fill("a lot")
    panel.get_by_role("button", name="Save").click()
    panel.locator(".errorlist >> text=must be an amount").wait_for()
    screenshot(f"custom-field-error-{device}", full_page=False)
    panel.locator("input[name=value]").fill("125000")
    panel.get_by_role("button", name="Save").click()
    panel.locator("text=125,000 EUR").wait_for()
    screenshot(f"custom-field-saved-{device}")
    assert _fits(page), "the account page scrolls sideways"
    # then
    assert Account.objects.get(pk=account.pk).custom_fields == {"budget": {"amount": 125000, "currency": "EUR"}}
    assert Activity.objects.filter(account=account, metadata__change__fields__has_key="custom_fields.budget").exists()
