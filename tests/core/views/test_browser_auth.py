"""Browser: a person who keeps typing the wrong password meets the lock-out page (desktop and
phone), and the reset form answers the same way however often it is sent. Screenshots:
artifacts/screenshots/auth-locked-out*.png."""

import pytest

from core.models import User
from tests.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


def _wrong_password_until_locked(page, username):
    for attempt in range(5):
        page.goto("/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", f"wrong-{attempt}")
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
    return page


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_five_wrong_passwords_show_the_lock_out_page(browser, live_server, device):
    User.objects.create_user("dana", email="dana@example.com", password="pass1234!", role="csm")
    options = {"viewport": PHONE, "is_mobile": True, "has_touch": True} if device == "phone" else {}
    context = browser.new_context(base_url=live_server.url, **options)
    page = context.new_page()
    try:
        _wrong_password_until_locked(page, "dana")
        assert page.get_by_test_id("locked-out").is_visible()
        assert "15 minutes" in page.get_by_test_id("locked-out").inner_text()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"auth-locked-out-{device}.png"), full_page=True)
        assert page.evaluate(OVERFLOW) <= 0
        # the right password is refused too, until the pause is over
        page.goto("/login/")
        page.fill("#id_username", "dana")
        page.fill("#id_password", "pass1234!")
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert page.get_by_test_id("locked-out").is_visible()
        # the way out is a password reset
        page.click("text=Forgot your password?")
        page.wait_for_url("**/password-reset/")
    finally:
        context.close()
