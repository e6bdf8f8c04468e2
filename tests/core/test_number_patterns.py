"""The compiled number patterns (core.number_patterns) write exactly what Babel writes."""

import copy
import random
from decimal import Decimal

import pytest
from babel.numbers import format_compact_currency, format_compact_decimal, format_decimal, format_percent
from django.conf import settings

from core.formats import babel_locale
from core.number_patterns import compact_writer, writer

LANGUAGES = [code for code, _name in settings.LANGUAGES]
SYSTEMS = {"ar": ["latn", "arab"], "fa": ["latn", "arabext"]}
CURRENCIES = ["USD", "EUR", "JPY", "GBP", "SAR", "IRR", "CNY", "CHF"]


def _values(seed: int = 22) -> list[Decimal]:
    rng = random.Random(seed)
    values = [Decimal(v) for v in ("0", "-0", "1", "-1", "0.5", "1.5", "2.5", "999.5", "999999.5", "0.0004", "0.0005")]
    values += [Decimal(v) for v in ("1000", "999600", "1000000", "123456789.987", "-84500", "8450", "950", "1e3")]
    for _ in range(150):
        magnitude = rng.randint(-3, 12)
        value = Decimal(rng.randint(-(10**6), 10**6)).scaleb(magnitude - 6)
        values.append(value.quantize(Decimal(10) ** -rng.randint(0, 4)) if magnitude < 10 else value)
    values += [Decimal(str(rng.uniform(-1e7, 1e7))) for _ in range(50)]
    return values


VALUES = _values()


def _cases():
    for language in LANGUAGES:
        for system in SYSTEMS.get(language.split("-")[0], ["latn"]):
            yield language, system


@pytest.mark.parametrize(("language", "system"), list(_cases()))
def test_decimal_and_fixed_digits_as_babel(language, system):
    locale = babel_locale(language)
    plain = locale.decimal_formats[None]
    for decimals in (None, 0, 1, 2, 3):
        compiled = writer(locale, system, plain.pattern, decimals)
        for value in VALUES:
            if decimals is None:
                expected = format_decimal(value, locale=locale, numbering_system=system)
            else:
                pattern = copy.copy(plain)
                pattern.frac_prec = (decimals, decimals)
                expected = pattern.apply(value, locale, numbering_system=system)
            assert compiled.write(value) == expected, (language, system, decimals, value)


@pytest.mark.parametrize(("language", "system"), list(_cases()))
def test_money_as_babel(language, system):
    locale = babel_locale(language)
    standard = locale.currency_formats["standard"]
    for currency in CURRENCIES:
        for decimals in (0, 2):
            compiled = writer(locale, system, standard.pattern, decimals, currency)
            pattern = copy.copy(standard)
            pattern.frac_prec = (decimals, decimals)
            for value in VALUES:
                expected = pattern.apply(
                    value, locale, currency=currency, currency_digits=False, numbering_system=system
                )
                assert compiled.write(value) == expected, (language, system, currency, decimals, value)


@pytest.mark.parametrize(("language", "system"), list(_cases()))
def test_percent_as_babel(language, system):
    locale = babel_locale(language)
    for pattern in ("#,##0%", "#,##0.0%", "#,##0.00%"):
        compiled = writer(locale, system, pattern)
        for value in VALUES:
            fraction = value / 1000
            assert compiled.write(fraction) == format_percent(
                fraction, pattern, locale=locale, numbering_system=system
            ), (language, system, pattern, fraction)


@pytest.mark.parametrize(("language", "system"), list(_cases()))
def test_compact_as_babel(language, system):
    locale = babel_locale(language)
    for digits in (0, 1, 2):
        numbers = compact_writer(locale, system, digits)
        for value in VALUES:
            expected = format_compact_decimal(value, locale=locale, fraction_digits=digits, numbering_system=system)
            assert numbers.write(value) == expected, (language, system, digits, value)
        for currency in CURRENCIES:
            money = compact_writer(locale, system, digits, currency)
            for value in VALUES:
                expected = format_compact_currency(
                    value, currency, locale=locale, fraction_digits=digits, numbering_system=system
                )
                assert money.write(value) == expected, (language, system, digits, currency, value)


def test_what_babel_treats_apart_is_left_to_babel():
    locale = babel_locale("en")
    assert writer(locale, "latn", "#,##0.###").write(Decimal("Infinity")) is None
    assert writer(locale, "latn", "#E0") is None  # scientific
    assert writer(locale, "latn", "@@#") is None  # significant digits
    assert writer(locale, "latn", "#,##0.00 ¤¤¤", 2, "USD") is None  # the currency's long name
