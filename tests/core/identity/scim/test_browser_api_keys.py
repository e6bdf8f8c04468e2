"""Browser: an admin creates a SCIM provisioning key on the API keys page, and sees the key once with
the base URL to give Okta or Entra ID; on a desktop, on a phone and in Arabic (right to left).
Screenshots: artifacts/screenshots/scim-key-<viewport>[-ar].png."""

import pytest

from core.choices import APIKeyScope, Role
from core.models import APIKey
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("viewport, language", [("desktop", "en"), ("phone", "en"), ("desktop", "ar"), ("phone", "ar")])
def test_admin_creates_a_scim_key(page, login, screenshot, viewport, language):
    # given
    admin = UserFactory(username="ada", role=Role.ADMIN, first_name="Ada", last_name="Admin", language=language)
    page.set_viewport_size(VIEWPORTS[viewport])
    # The live server's first page can take a while on a loaded machine (2 cores, shared).
    page.goto("/login/", timeout=60_000)
    login(admin)
    # when
    page.goto("/team/api-keys/")
    assert page.get_attribute("html", "dir") == ("rtl" if language == "ar" else "ltr")
    page.fill("#id_name", "Okta provisioning")
    page.select_option("#id_scope", APIKeyScope.SCIM)
    page.click("#new-key-form button[type=submit]")
    page.wait_for_selector("#scim-setup")
    # then
    key = APIKey.objects.get(name="Okta provisioning")
    assert key.scope == APIKeyScope.SCIM
    assert page.inner_text("#raw-key").startswith(key.key_prefix)
    assert page.inner_text("#scim-base-url").endswith("/scim/v2/")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    screenshot(f"scim-key-{viewport}{'-ar' if language == 'ar' else ''}")
