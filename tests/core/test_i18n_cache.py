"""core.i18n_cache: the per-request memo, `value_html` as `{{ value }}` writes a value, `url_parts`."""

import datetime
from decimal import Decimal

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from core.i18n_cache import TranslateOnce, url_parts, value_html

VALUES = [
    1234567,
    Decimal("1234.50"),
    12.5,
    0,
    None,
    True,
    "a < b & \"c\" 'd'",
    mark_safe("<b>kept</b>"),
    gettext_lazy("Tier"),
    datetime.date(2026, 3, 4),
    datetime.datetime(2026, 3, 4, 23, 30, tzinfo=datetime.UTC),
]


@pytest.mark.parametrize("language", ["en", "ar", "fa", "zh-hans"])
def test_value_html_writes_what_the_template_writes(language):
    template = engines["django"].from_string("{{ value }}")
    with translation.override(language), timezone.override("Asia/Tehran"):
        for value in VALUES:
            assert value_html(value) == template.render({"value": value}), repr(value)


def test_get_makes_each_key_once():
    # given a memo and a maker that counts its calls
    texts = TranslateOnce()
    calls = []

    def make(n):
        calls.append(n)
        return f"<{n}>"

    # when the same keys are asked for again and again
    got = [texts.get(("n", n), lambda n=n: make(n)) for n in (1, 2, 1, 1, 2, 3)]
    # then each key was made once and answered every time
    assert got == ["<1>", "<2>", "<1>", "<1>", "<2>", "<3>"]
    assert calls == [1, 2, 3]


def test_gettext_translates_once_in_the_language_of_the_first_call():
    with translation.override("fa"):
        texts = TranslateOnce()
        persian = texts.gettext("Unassigned")
        assert persian != "Unassigned"
    # the object lives for one request: a later call answers what it translated then
    with translation.override("en"):
        assert texts.gettext("Unassigned") == persian
        assert TranslateOnce().gettext("Unassigned") == "Unassigned"


def test_url_parts_surround_any_id():
    head, tail = url_parts("accounts:detail")
    assert f"{head}42{tail}" == reverse("accounts:detail", args=[42])
