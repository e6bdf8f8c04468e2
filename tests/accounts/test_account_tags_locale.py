"""The account pages' short formats follow the reader's language and digits (core.formats)."""

from decimal import Decimal

from django.utils import translation

from accounts.templatetags.account_tags import money, money_full, relative_days
from core.i18n import DisplayPrefs, display_override


def test_relative_days():
    with translation.override("en"):
        assert [relative_days(d) for d in (0, 5, -12, None)] == ["today", "in 5d", "12d ago", ""]
    with translation.override("zh-hans"):
        assert relative_days(5) == "5天后" and relative_days(-12) == "12天前"
    with translation.override("fa"), display_override(DisplayPrefs(digits="native")):
        assert relative_days(5) == "۵ روز دیگر"


def test_money_keeps_its_english_shape_and_follows_other_locales():
    with translation.override("en"):
        assert [money(v) for v in (950, 12_000, 1_234_567, None)] == ["$950", "$12k", "$1.2M", "—"]
        assert money_full(Decimal("1234")) == "$1,234"
        assert money(12_000, "EUR") == "€12k"
    with translation.override("zh-hans"):
        assert money(84_500) == "US$8.4万"
    with translation.override("ar"), display_override(DisplayPrefs(digits="native")):
        assert "١٢" in money(12_000) and "US$" in money(12_000)
