"""The portfolio and the account page in Arabic (right to left) and in Chinese, in Debian's
Chromium, on a desktop (1440 x 900) and a phone (390 x 844): a CSM who reads Arabic or Chinese
signs in, filters the portfolio, opens an account; the page says `lang` and `dir`, the chrome is
in their language, the sidebar sits on the reading side and nothing runs off the screen.
Screenshots: artifacts/screenshots/i18n-<language>-<page>-<viewport>.png."""

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import Account
from core.models import User

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "django.middleware.locale.LocaleMiddleware" not in settings.MIDDLEWARE,
        reason="needs issue 22's language foundation (LocaleMiddleware, the user's language)",
    ),
]

VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
# language: (dir, the portfolio's title, the timeline card's title, the filter's "All tiers")
LANGUAGES = {
    "ar": ("rtl", "المحفظة", "الخط الزمني", "كل المستويات"),
    "zh-hans": ("ltr", "客户组合", "时间线", "所有等级"),
}


@pytest.fixture
def demo():
    call_command("seed_demo", "--accounts", "30", "--seed", "5", verbosity=0)
    csm = User.objects.get(username="csm1")
    account = Account.objects.filter(owner=csm, mrr__gt=0).exclude(lifecycle_stage="churned").order_by("-mrr").first()
    return csm, account


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("viewport", list(VIEWPORTS), ids=list(VIEWPORTS))
@pytest.mark.parametrize("language", list(LANGUAGES))
def test_portfolio_and_account_page_in_the_readers_language(page, login, screenshot, demo, language, viewport):
    csm, account = demo
    direction, portfolio_title, timeline_title, all_tiers = LANGUAGES[language]
    csm.language = language
    csm.save(update_fields=["language"])
    page.set_viewport_size(VIEWPORTS[viewport])
    login(csm, password="demo1234")

    # the portfolio: lang and dir on the page, the title and the filters in their language
    page.goto("/accounts/")
    page.wait_for_selector("[data-testid=portfolio-table]")
    assert page.get_attribute("html", "lang") == language
    assert page.get_attribute("html", "dir") == direction
    assert page.locator("h1").inner_text() == portfolio_title
    assert page.locator("#portfolio-filters select[name=tier] option").first.inner_text() == all_tiers
    if viewport == "desktop" and direction == "rtl":
        sidebar, main = page.locator("#sidebar").bounding_box(), page.locator("main").bounding_box()
        assert sidebar["x"] > main["x"]  # the menu on the right, where an Arabic reader starts
    # a filter updates the table in place
    page.select_option("#portfolio-filters select[name=tier]", "strategic")
    page.wait_for_url("**tier=strategic**")
    page.wait_for_selector("[data-testid=portfolio-table]")
    assert _no_sideways_scroll(page)
    page.wait_for_function("document.fonts.status === 'loaded'")
    screenshot(f"i18n-{language}-portfolio-{viewport}")

    # the account page: its cards in their language, the data as it is
    page.goto(f"/accounts/{account.pk}/")
    page.wait_for_selector("#usage-chart")
    assert page.locator("h1").inner_text() == account.name
    assert page.locator("#timeline h2").inner_text() == timeline_title
    assert _no_sideways_scroll(page)
    page.wait_for_function("document.fonts.status === 'loaded'")
    screenshot(f"i18n-{language}-account-{viewport}")
