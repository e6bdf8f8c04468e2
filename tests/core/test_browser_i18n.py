"""Browser: a CSM switches the interface to Arabic from the header and back, on a desktop and a
phone; sets Persian digits and the Solar Hijri calendar on their preferences page; the signed-out
sign-in page switches by cookie; charts read right to left in Arabic. Screenshots:
artifacts/screenshots/i18n_switch_*.png, i18n_profile_*.png."""

import pytest

from core.models import User
from tests.conftest import SCREENSHOTS
from tests.factories import AccountFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


def _html(page):
    return page.evaluate("[document.documentElement.lang, document.documentElement.dir]")


def _switch(page, language_name):
    page.click("header.topbar .lang-menu > summary")
    page.click(f"header.topbar .lang-options button:has-text('{language_name}')")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_csm_switches_to_arabic_from_the_header_and_back(browser, live_server, csm_user, viewport):
    size = viewport or {"width": 1440, "height": 900}
    context = browser.new_context(base_url=live_server.url, viewport=size, is_mobile=viewport is not None)
    page = context.new_page()
    try:
        page.goto("/login/")
        page.fill("#id_username", csm_user.username)
        page.fill("#id_password", "pass1234!")
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert _html(page) == ["en", "ltr"]
        _switch(page, "العربية")
        assert _html(page) == ["ar", "rtl"]
        assert page.locator("header.topbar button[title='تسجيل الخروج']").count() == 1
        # the sidebar stands on the right: its box starts right of the content's
        if viewport is None:
            sidebar = page.locator("nav.sidebar").bounding_box()
            main = page.locator("div.main").bounding_box()
            assert sidebar["x"] > main["x"]
        assert page.evaluate(OVERFLOW) <= 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"i18n_switch_ar_{'phone' if viewport else 'desktop'}.png"))
        assert User.objects.get(pk=csm_user.pk).language == "ar"
        _switch(page, "English")
        assert _html(page) == ["en", "ltr"]
    finally:
        context.close()


def test_persian_digits_and_solar_hijri_on_the_preferences_page(page, login, csm_user, screenshot):
    login(csm_user)
    page.goto("/me/")
    page.select_option("#id_language", "fa")
    page.select_option("#id_timezone", "Asia/Tehran")
    page.check("input[name=digits][value=native]")
    page.check("input[name=calendar][value=persian]")
    page.click("form.card-body button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert _html(page) == ["fa", "rtl"]
    assert page.evaluate("document.documentElement.dataset.locale") == "fa-u-nu-arabext-ca-persian"
    sample = page.locator("dl.props").inner_text()
    assert "۱٬۲۳۴٬۵۶۷٫۵" in sample
    assert "۱۴۰" in sample  # a Solar Hijri year (14xx) in Persian digits
    assert page.locator(".messages li.success").count() == 1
    screenshot("i18n_profile_fa", full_page=False)


def test_the_sign_in_page_switches_by_cookie(page, live_server, screenshot):
    page.goto("/login/")
    page.click(".auth-lang .lang-menu > summary")
    page.click(".auth-lang .lang-options button:has-text('中文')")
    page.wait_for_load_state("networkidle")
    assert _html(page) == ["zh-hans", "ltr"]
    assert page.locator("h1").inner_text() == "登录"
    screenshot("i18n_login_zh-hans", full_page=False)


def test_charts_read_right_to_left_in_arabic(page, login, csm_user):
    User.objects.filter(pk=csm_user.pk).update(language="ar", digits="native")
    account = AccountFactory(owner=csm_user)
    login(csm_user)
    page.goto(f"/accounts/{account.pk}/")
    page.wait_for_function("window.Chart && Chart.getChart(document.getElementById('usage-chart'))")
    chart = page.evaluate(
        """() => { const c = Chart.getChart(document.getElementById('usage-chart'));
        return {x: c.options.scales.x.reverse, y: c.options.scales.y.position, y1: c.options.scales.y1.position,
                locale: c.options.locale, tooltip: c.options.plugins.tooltip.rtl}; }"""
    )
    assert chart == {"x": True, "y": "right", "y1": "left", "locale": "ar-u-nu-arab", "tooltip": True}


def test_charts_stay_left_to_right_in_chinese(page, login, csm_user):
    User.objects.filter(pk=csm_user.pk).update(language="zh-hans")
    account = AccountFactory(owner=csm_user)
    login(csm_user)
    page.goto(f"/accounts/{account.pk}/")
    page.wait_for_function("window.Chart && Chart.getChart(document.getElementById('usage-chart'))")
    reverse = page.evaluate("Chart.getChart(document.getElementById('usage-chart')).options.scales.x.reverse")
    assert reverse is False


@pytest.mark.parametrize(("language", "family"), [("ar", "Noto Sans Arabic"), ("zh-hans", "Noto Sans SC Subset")])
def test_the_projects_fonts_are_loaded_for_arabic_and_chinese(page, login, csm_user, language, family):
    User.objects.filter(pk=csm_user.pk).update(language=language)
    login(csm_user)
    page.goto("/me/")
    loaded = page.evaluate(
        """(family) => document.fonts.ready.then(() => Array.from(document.fonts)
            .filter((f) => f.family.replace(/"/g, '') === family && f.status === 'loaded').length)""",
        family,
    )
    assert loaded >= 1, f"{family} was not loaded from static/fonts"
