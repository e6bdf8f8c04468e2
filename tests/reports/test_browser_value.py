"""The value report in a real browser: the CSM's page (desktop and phone), and the customer's
link opened from a fresh browser in Arabic: right to left, Arabic glyphs from the project's font
(not boxes). Screenshots go to artifacts/screenshots/."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from reports.services_value import value_report_create, value_report_link_create, value_report_link_token
from tests.factories import AccountFactory, HealthScoreFactory
from tests.fonts_used import wrong_fonts
from usage.models import AccountDailyUsage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def report(csm_user):
    account = AccountFactory(name="شركة الأفق", owner=csm_user, mrr=Decimal("900"))
    today = timezone.now().date()
    for i, score in enumerate((38, 45, 52, 61, 70, 76)):
        HealthScoreFactory(account=account, day=today - timedelta(days=80 - 15 * i), score=score)
    AccountDailyUsage.objects.create(
        account=account, day=today - timedelta(days=3), events=30, features={"export": 20, "report": 10}
    )
    report = value_report_create(
        user=csm_user,
        account=account,
        title="مراجعة الربع",
        start=today - timedelta(days=90),
        end=today + timedelta(days=1),
    )
    report.outcomes = "خفضنا وقت إغلاق الحسابات الشهرية من ستة أيام إلى ثلاثة."
    report.save()
    return report


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_customer_link_in_arabic_from_a_fresh_browser(page, screenshot, csm_user, report, size):
    page.set_viewport_size(VIEWPORTS[size])
    link = value_report_link_create(user=csm_user, report=report, language="ar", days=14)
    assert page.context.cookies() == []
    page.goto(f"/value/s/{value_report_link_token(link)}/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    doc = page.locator("#value-doc")
    assert doc.get_attribute("dir") == "rtl"
    page.wait_for_function("() => document.fonts.status === 'loaded'")
    assert page.evaluate("() => document.fonts.check('16px \"Noto Sans Arabic\"', 'نتائج')")
    loaded = page.evaluate("() => [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
    assert any("Noto Sans Arabic" in family for family in loaded), loaded
    # right to left: the heading starts at the right edge of its section
    box = page.locator("#value-outcomes h2").bounding_box()
    section = page.locator("#value-outcomes").bounding_box()
    assert box["x"] + box["width"] > section["x"] + section["width"] - 40
    assert "نتائجكم" in page.locator("#value-outcomes h2").inner_text()
    screenshot(f"reports_value_shared_ar_{size}")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_csm_page_and_share(page, login, screenshot, csm_user, report, size):
    page.set_viewport_size(VIEWPORTS[size])
    login(csm_user)
    page.goto(f"/value/{report.pk}/?lang=en")
    # an English page showing Arabic data: the Arabic words still come from the project's face (the
    # default stack lists it first, its unicode-range leaves Latin to the system faces)
    assert wrong_fonts(page, "ar", ["#value-doc h1", "#value-outcomes p"]) == []
    screenshot(f"reports_value_page_{size}")
    page.select_option("#value-share select[name=language]", "zh-hans")
    page.locator("#value-share button[type=submit]").click()
    page.wait_for_selector("#value-links input.share-url")
    url = page.locator("#value-links input.share-url").first.input_value()
    page.goto(url)
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert wrong_fonts(page, "zh-hans", ["#value-outcomes h2"]) == []
    screenshot(f"reports_value_shared_zh_{size}")
