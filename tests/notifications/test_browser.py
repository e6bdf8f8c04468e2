"""The bell in Debian's Chromium: the unread count, the dropdown, opening a notification and
"mark all read", on a desktop and a phone; then the feed page. Screenshots go to
artifacts/screenshots/notifications_*.png."""

import pytest

from notifications.choices import NotificationKind
from notifications.models import Notification
from tests.factories import AccountFactory, NotificationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def news():
    csm = UserFactory(username="carl", first_name="Carl", last_name="Success")
    account = AccountFactory(owner=csm, name="Initech")
    NotificationFactory(
        recipient=csm,
        kind=NotificationKind.RENEWAL_DUE,
        title="Initech renews in 12 days",
        body="Renewal date 12/19/2026",
        url=f"/accounts/{account.pk}/",
        account=account,
    )
    NotificationFactory(
        recipient=csm,
        kind=NotificationKind.MENTION,
        title="Mia Manager mentioned you on Initech",
        body="@carl can you bring the usage numbers to the QBR?",
        url=f"/accounts/{account.pk}/#timeline",
    )
    NotificationFactory(
        recipient=csm, title="Task assigned: Prepare the QBR deck", body="Initech · due 12/09/2026", url="/tasks/"
    )
    return csm, account


@pytest.mark.parametrize(
    "viewport", [{"width": 1440, "height": 900}, {"width": 390, "height": 844}], ids=["desktop", "phone"]
)
def test_bell_dropdown_open_and_mark_all_read(page, login, screenshot, news, viewport):
    csm, account = news
    page.set_viewport_size(viewport)
    login(csm)
    page.goto("/")
    count = page.locator("#notif-count")
    count.wait_for(state="visible")
    assert count.inner_text() == "3"

    page.locator("#notif-menu > summary").click()
    page.wait_for_selector("#notif-dropdown .notif-item")
    assert page.locator("#notif-dropdown .notif-item.unread").count() == 3
    screenshot(f"notifications_dropdown_{'phone' if viewport['width'] < 760 else 'desktop'}", full_page=False)

    # opening one marks it read and goes to it
    page.locator("#notif-dropdown").get_by_role("button", name="Initech renews in 12 days").click()
    page.wait_for_url(f"**/accounts/{account.pk}/")
    page.locator("#notif-count").wait_for(state="visible")
    assert page.locator("#notif-count").inner_text() == "2"

    # mark the rest read from the dropdown: the count goes without a reload
    page.locator("#notif-menu > summary").click()
    page.locator("#dropdown-mark-all").click()
    page.wait_for_selector("#notif-count", state="hidden")
    assert not Notification.objects.filter(recipient=csm, read_at__isnull=True).exists()


def test_feed_page_filters_and_marks_all_read(page, login, screenshot, news):
    csm, _ = news
    login(csm)
    page.goto("/notifications/")
    assert page.locator("#notif-results .notif-item").count() == 3
    page.select_option("select[name=kind]", "mention")
    page.wait_for_function("document.querySelectorAll('#notif-results .notif-item').length === 1")
    screenshot("notifications_feed")
    page.click("#mark-all-read")
    page.wait_for_function("document.querySelectorAll('#notif-results .notif-item.unread').length === 0")
    assert Notification.objects.filter(recipient=csm, read_at__isnull=True).count() == 2  # only the mentions

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/notifications/settings/")
    page.get_by_label("A renewal within 30 days").check()
    page.select_option("#id_timezone", "Asia/Tokyo")
    page.click("#notification-settings button[type=submit]")
    page.wait_for_selector(".messages .success")
    screenshot("notifications_settings_phone")
    csm.refresh_from_db()
    assert csm.timezone == "Asia/Tokyo"
