"""Browser: an admin invites a colleague; the colleague opens the mailed link in a fresh browser
(a phone), chooses a user name and password, and lands signed in. Screenshots:
artifacts/screenshots/invitation-*.png."""

import re

import pytest
from django.core import mail

from core.choices import Role
from core.models import User
from tests.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


def test_an_invitation_from_the_users_page_to_a_signed_in_colleague(browser, live_server, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    admin = User.objects.create_user("ada", password="pass1234!", role=Role.ADMIN)
    desk = browser.new_context(base_url=live_server.url)
    page = desk.new_page()
    page.goto("/login/")
    page.fill("#id_username", admin.username)
    page.fill("#id_password", "pass1234!")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto("/team/users/")
    page.get_by_test_id("invite").click()
    page.fill("#id_email", "lena@example.com")
    page.fill("#id_first_name", "Lena")
    page.select_option("#id_role", Role.MANAGER)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "invitation-form.png"), full_page=True)
    page.get_by_test_id("invite-form").locator("button[type=submit]").click()
    page.wait_for_url("**/team/users/")
    assert "lena@example.com" in page.get_by_test_id("invitations").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "invitation-pending.png"), full_page=True)
    desk.close()

    (message,) = mail.outbox
    link = re.search(r"https?://[^/\s]+(/invite/[^/\s]+/)", message.body).group(1)
    phone = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True)
    colleague = phone.new_page()
    colleague.goto(link)
    assert colleague.locator("#id_username").input_value() == "lena"
    colleague.fill("#id_password", "short")
    colleague.get_by_test_id("accept-form").locator("button[type=submit]").click()
    colleague.wait_for_load_state("networkidle")
    assert "too short" in colleague.locator(".errorlist").inner_text().lower()
    colleague.fill("#id_password", "Quiet-harbor-42")
    colleague.screenshot(path=str(SCREENSHOTS / "invitation-accept-phone.png"), full_page=True)
    assert colleague.evaluate(OVERFLOW) <= 0
    colleague.get_by_test_id("accept-form").locator("button[type=submit]").click()
    colleague.wait_for_url(live_server.url + "/")
    phone.close()
    user = User.objects.get(username="lena")
    assert user.role == Role.MANAGER and user.check_password("Quiet-harbor-42")
