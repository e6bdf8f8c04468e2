"""Browser: an admin changes a user's role, then finds that change in the audit log by filtering,
on a desktop and on a phone. Screenshots: artifacts/screenshots/audit-log-*.png."""

import pytest

from core.choices import Role
from core.models import User
from tests.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_an_admin_finds_a_role_change_in_the_audit_log(browser, live_server, device):
    admin = User.objects.create_user("ada", password="pass1234!", role=Role.ADMIN, first_name="Ada")
    member = User.objects.create_user(
        "sam", email="sam@example.com", password="pass1234!", role=Role.CSM, first_name="Sam"
    )
    options = {"viewport": PHONE, "is_mobile": True, "has_touch": True} if device == "phone" else {}
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/login/")
        page.fill("#id_username", admin.username)
        page.fill("#id_password", "pass1234!")
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.goto(f"/team/users/{member.pk}/")
        page.select_option("#id_role", Role.MANAGER)
        page.get_by_role("button", name="Save").click()
        page.wait_for_url("**/team/users/")
        assert User.objects.get(pk=member.pk).role == Role.MANAGER

        page.goto("/team/audit/")
        table = page.get_by_test_id("audit-table")
        assert "sam" in table.inner_text().lower()
        page.select_option("#id_action", "update")
        page.wait_for_load_state("networkidle")
        page.wait_for_url("**action=update**")
        rows = table.locator("tbody tr")
        assert rows.count() == 1
        text = rows.first.inner_text()
        assert "csm" in text and "manager" in text and "ada" in text
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"audit-log-{device}.png"), full_page=True)
        assert page.evaluate(OVERFLOW) <= 0
        with page.expect_download() as download:
            page.get_by_test_id("audit-export").click()
        assert download.value.suggested_filename == "audit-log.csv"
    finally:
        context.close()
