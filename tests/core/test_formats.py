"""Numbers, money, percentages and dates in the reader's locale, digits and calendar (core.formats)."""

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from core.formats import (
    DASH,
    format_date,
    format_datetime,
    format_money,
    format_number,
    format_percent,
    format_signed,
    localize_digits,
)
from core.i18n import DisplayPrefs, display_override

NATIVE = DisplayPrefs(digits="native")
HIJRI = DisplayPrefs(digits="latn", calendar="persian")
DAY = dt.date(2026, 12, 7)  # 16 Azar 1405 in the Solar Hijri calendar


WESTERN = DisplayPrefs()


@contextmanager
def _in(language, prefs=WESTERN):
    with translation.override(language), display_override(prefs):
        yield


def test_english_is_as_before():
    with _in("en"):
        assert format_number(1234567) == "1,234,567"
        assert format_number(12.345, 1) == "12.3"
        assert format_money(Decimal("1234")) == "$1,234"
        assert format_money(1_234_567, compact=True) == "$1.2M"
        assert format_money(84_500, compact=True) == "$84k"
        assert format_money(8_450, compact=True) == "$8.4k"
        assert format_money(999_600, compact=True) == "$1M"
        assert format_money(950, compact=True) == "$950"
        assert format_percent(0.934) == "93.4%"
        assert format_signed(-3.25, 1) == "-3.2"
        assert format_signed(4) == "+4"
        assert format_date(DAY) == "Dec 7, 2026"


def test_no_data_is_a_dash_never_zero():
    with _in("ar", NATIVE):
        for fn in (format_number, format_money, format_percent, format_date, format_datetime):
            assert fn(None) == DASH


def test_money_in_chinese():
    with _in("zh-hans"):
        assert format_money(1234) == "US$1,234"
        assert format_money(1234, "EUR") == "€1,234"
        assert format_money(84_500, compact=True) == "US$8.4万"
        assert format_date(DAY) == "2026年12月7日"


def test_arabic_keeps_western_digits_unless_chosen():
    with _in("ar"):
        assert format_number(1234567.5, 1) == "1,234,567.5"
        assert format_money(1234).endswith("US$") and "1,234" in format_money(1234)


def test_arabic_indic_digits_when_the_user_chose_them():
    with _in("ar", NATIVE):
        assert format_number(1234567.5, 1) == "١٬٢٣٤٬٥٦٧٫٥"
        assert format_percent(0.934) == "٩٣٫٤٪"
        assert "١٬٢٣٤" in format_money(1234)
        assert format_date(DAY, "short") == "٧\u200f/١٢\u200f/٢٠٢٦"
        assert localize_digits("Q4 2026") == "Q٤ ٢٠٢٦"


def test_persian_digits_are_the_extended_ones():
    with _in("fa", NATIVE):
        assert format_number(1234567.5, 1) == "۱٬۲۳۴٬۵۶۷٫۵"
        assert format_percent(0.5, 0) == "۵۰٪"


def test_digits_choice_means_nothing_in_chinese_or_english():
    with _in("zh-hans", NATIVE):
        assert format_number(1234) == "1,234"
    with _in("en", NATIVE):
        assert format_number(1234) == "1,234"


def test_solar_hijri_for_a_persian_user_who_chose_it():
    with _in("fa", HIJRI):
        assert format_date(DAY) == "16 آذر 1405"
        assert format_date(DAY, "short") == "1405/09/16"
    with _in("fa", DisplayPrefs(digits="native", calendar="persian")):
        assert format_date(DAY) == "۱۶ آذر ۱۴۰۵"
    with _in("fa"):
        assert "2026" in format_date(DAY)  # Gregorian unless chosen


def test_solar_hijri_only_in_persian():
    with _in("ar", HIJRI):
        assert "2026" in format_date(DAY)


def test_datetimes_are_shown_in_the_readers_time_zone():
    moment = dt.datetime(2026, 12, 7, 22, 30, tzinfo=dt.UTC)
    with _in("en"), timezone.override("Asia/Tehran"):
        assert format_datetime(moment) == "Dec 8, 2026 02:00"
        assert format_date(moment) == "Dec 8, 2026"


def test_the_template_filters():
    template = Template(
        "{% load locale_format %}{{ n|fmt_number }}|{{ m|fmt_money }}|{{ m|fmt_money_short }}|{{ r|fmt_percent:0 }}"
        "|{{ d|fmt_date }}|{{ none|fmt_money }}|{{ s|fmt_digits }}"
    )
    context = Context({"n": 1234, "m": 84500, "r": 0.5, "d": DAY, "none": None, "s": "12 tasks"})
    with _in("en"):
        assert template.render(context) == "1,234|$84,500|$84k|50%|Dec 7, 2026|—|12 tasks"
    with _in("fa", DisplayPrefs(digits="native", calendar="persian")):
        out = template.render(context)
        assert out.startswith("۱٬۲۳۴|")
        assert "۱۶ آذر ۱۴۰۵" in out and "۱۲ tasks" in out


@pytest.mark.parametrize("bad", ["", "abc", object()])
def test_not_a_number_is_a_dash(bad):
    assert format_number(bad) == DASH


def test_the_readers_zone_is_a_display_choice():
    moment = dt.datetime(2026, 12, 7, 22, 30, tzinfo=dt.UTC)
    with _in("en", DisplayPrefs(zone="Asia/Tehran")):
        assert format_datetime(moment) == "Dec 8, 2026 02:00"
        assert timezone.get_current_timezone_name() == "UTC"  # "days are UTC" everywhere else


def test_time_of_day_as_babel_writes_it():
    """format_datetime writes the hour and minute itself (Babel's "HH:mm"): the same text."""
    from babel.dates import format_datetime as babel_format_datetime

    from core.formats import babel_locale

    zone = dt.timezone(dt.timedelta(hours=3, minutes=30))
    for language in ("en", "ar", "fa", "zh-hans"):
        for hour, minute in ((0, 0), (7, 5), (13, 59), (23, 30)):
            moment = dt.datetime(2026, 12, 7, hour, minute, tzinfo=zone)
            with _in(language):
                expected = babel_format_datetime(moment, format="HH:mm", locale=babel_locale(), tzinfo=zone)
                assert f"{moment:%H:%M}" == expected
