"""Chinese, Arabic and Persian are drawn in the project's own fonts (static/fonts/README.md), the
page chrome included, even when a font file arrives after the page was first laid out (a slow
network; or a page whose stylesheet is already cached): issue 22's empty boxes in the Chinese chrome
(docs/decisions.md, "The project's fonts first"). Every page of the four-language click-through runs
the same check (tests/core/test_browser_languages.py); this one makes the late font certain."""

import time

import pytest
from django.urls import reverse

from core.choices import Role
from tests.factories import UserFactory
from tests.fonts_used import wrong_fonts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _late_fonts(route, request):
    time.sleep(0.4)  # the page is laid out once before the file is there
    route.continue_()


@pytest.mark.parametrize("language", ["zh-hans", "ar", "fa"])
def test_the_chrome_and_heading_are_drawn_in_our_fonts(page, login, language):
    login(UserFactory(role=Role.MANAGER, language=language))
    page.route("**/static/fonts/*.woff2", _late_fonts)
    problems = {}
    for name in ("reports:dashboard", "accounts:portfolio"):
        page.goto(reverse(name), wait_until="networkidle")
        found = wrong_fonts(page, language)
        if found:
            problems[name] = found
    assert not problems, f"{language}: text drawn in a system font (empty boxes where it has no glyphs): {problems}"


def test_charts_write_in_the_pages_font_stack(page, login):
    """Chart.js writes its labels in Helvetica / Arial unless told otherwise, which have no Chinese or
    Arabic (the account page's usage chart showed 9□10□): static/js/i18n.js gives every chart the
    page's stack, and draws the charts again once a font file has loaded."""
    login(UserFactory(role=Role.MANAGER, language="zh-hans"))
    page.route("**/static/fonts/*.woff2", _late_fonts)
    page.goto(reverse("reports:dashboard"), wait_until="networkidle")
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length > 0")
    families = page.evaluate(
        "Object.values(Chart.instances).map((c) => Object.values(c.scales).map((s) => "
        "(s.options.ticks.font || Chart.defaults.font).family))"
    )
    flat = [family for chart in families for family in chart]
    assert flat and all(family.startswith('"Noto Sans SC Subset"') for family in flat), flat
