"""Browser: a CSM works home, portfolio, an account page and the inbox on a phone (390 x 844),
with a menu (issue 15, item 5). Screenshots go to artifacts/screenshots/phone-*.png."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from health.models import HealthScore
from tests.conftest import SCREENSHOTS
from tests.factories import AccountFactory, ActivityFactory, ContactFactory, SubscriptionFactory, TaskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def phone(browser, live_server):
    """A fresh phone-sized browser (touch, mobile viewport), signed out."""
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def screenshot_path(name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"phone-{name}.png"


def _sign_in(page, user):
    page.goto("/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pass1234!")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def _book(csm):
    """A book with the long names, reasons and numbers that overflowed a phone."""
    today = timezone.now().date()
    accounts = []
    for i, band in enumerate(["red", "yellow", "green", "red", "green"]):
        account = AccountFactory(
            name=f"Internationale Handelsgesellschaft Nummer {i} GmbH",
            owner=csm,
            tier="key" if i % 2 else "standard",
            mrr=Decimal(1200 + 700 * i),
            health_score=35 + 12 * i,
            health_band=band,
            health_change_7d=-8 + 4 * i,
            renewal_date=today + timedelta(days=30 + 20 * i),
            last_touch_at=timezone.now() - timedelta(days=3 * i),
        )
        HealthScore.objects.create(account=account, day=today, score=35 + 12 * i, band=band, measures={})
        SubscriptionFactory(account=account, mrr=Decimal(1200 + 700 * i), end_date=today + timedelta(days=30 + 20 * i))
        ContactFactory(account=account, name="Maximiliane Oberstaatsanwältin-Schmidt")
        ActivityFactory(account=account, subject="Quarterly business review", body="Walked through adoption " * 6)
        TaskFactory(
            account=account,
            assignee=csm,
            title=f"Call the executive sponsor about the renewal of contract {i} before the quarter closes",
            reason="health fell from 72 to 41 in 7 days; two detractor answers mention exports failing every Monday",
            due_date=today - timedelta(days=2) if i < 2 else today + timedelta(days=i),
        )
        accounts.append(account)
    return accounts


def _assert_fits(page, name):
    # A mobile browser widens its layout viewport to a page that overflows: innerWidth stays 390
    # only when nothing does.
    assert page.evaluate("window.innerWidth") == PHONE["width"], f"{name} is wider than the phone"
    assert page.evaluate(OVERFLOW) <= 0, f"{name} scrolls sideways by {page.evaluate(OVERFLOW)} px"


def test_a_csm_works_the_four_daily_pages_on_a_phone(phone, csm_user):
    # given
    accounts = _book(csm_user)
    _sign_in(phone, csm_user)
    pages = {
        "home": "/",
        "portfolio": "/accounts/",
        "account": f"/accounts/{accounts[0].pk}/",
        "inbox": "/tasks/",
    }
    for name, url in pages.items():
        # when
        phone.goto(url)
        phone.wait_for_load_state("networkidle")
        # then: nothing scrolls sideways, the menu waits behind its button
        phone.screenshot(path=str(screenshot_path(name)), full_page=True)
        _assert_fits(phone, name)
        toggle = phone.locator("[data-shell-toggle]")
        assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
        assert not phone.locator("#sidebar").is_visible()
    # the inbox's task rows wrap inside the screen
    rows = phone.locator(".task-row")
    assert rows.count() == 5
    for i in range(rows.count()):
        box = rows.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_the_phone_menu_opens_closes_and_follows_a_link(phone, csm_user):
    # given
    _book(csm_user)
    _sign_in(phone, csm_user)
    toggle = phone.locator("[data-shell-toggle]")
    sidebar = phone.locator("#sidebar")
    # when: the menu button is pressed
    toggle.click()
    # then: the drawer is open, says so, and holds the focus
    sidebar.wait_for(state="visible")
    assert toggle.get_attribute("aria-expanded") == "true"
    phone.wait_for_function("document.activeElement.closest('#sidebar') !== null", timeout=2000)
    phone.wait_for_timeout(300)  # the slide-in
    phone.screenshot(path=str(screenshot_path("menu-open")))
    # when: Escape
    phone.keyboard.press("Escape")
    # then: closed, focus back on the button
    sidebar.wait_for(state="hidden")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert phone.evaluate("document.activeElement.hasAttribute('data-shell-toggle')")
    # when: opened again, a tap outside closes it
    toggle.click()
    sidebar.wait_for(state="visible")
    phone.mouse.click(PHONE["width"] - 10, PHONE["height"] // 2)
    sidebar.wait_for(state="hidden")
    # when: opened again and a link followed
    toggle.click()
    sidebar.locator("a.nav", has_text="Tasks").click()
    phone.wait_for_url("**/tasks/")
    # then: the inbox, menu closed
    assert phone.locator("h1").inner_text() == "My tasks"
    assert not sidebar.is_visible()
    _assert_fits(phone, "inbox")


def test_the_phone_menu_opens_from_the_right_in_a_right_to_left_page(phone, csm_user):
    # given: the shell in a right-to-left language (the CSS uses logical properties)
    accounts = _book(csm_user)
    _sign_in(phone, csm_user)
    phone.goto(f"/accounts/{accounts[0].pk}/")
    phone.evaluate("document.documentElement.dir = 'rtl'")
    _assert_fits(phone, "account (rtl)")
    # when
    phone.locator("[data-shell-toggle]").click()
    phone.locator("#sidebar").wait_for(state="visible")
    phone.wait_for_timeout(300)
    # then: the drawer stands against the right edge
    box = phone.locator("#sidebar").bounding_box()
    assert abs(box["x"] + box["width"] - PHONE["width"]) <= 1
    phone.screenshot(path=str(screenshot_path("menu-open-rtl")))
