"""Numbers, money, percentages and dates in the reader's locale (docs/i18n.md).

Babel (CLDR) writes them for the active language (`translation.get_language()`), so a page in
Chinese shows "US$1,234" and "2026年12月7日", one in Arabic "‏1,234 US$". On top of the locale, the
reader's display choices (`core.i18n.display_prefs()`): Arabic-Indic digits for a user of Arabic
(٠١٢٣) or Persian (۰۱۲۳) who chose them, and the Solar Hijri calendar for a Persian user who chose
it (jdatetime). Only the display changes: values and stored dates are never converted.

None (no data) is shown as an em dash, never as 0. The template filters of the same names are in
`core/templatetags/locale_format.py`.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import zoneinfo
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import jdatetime
from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.numbers import format_compact_currency, format_compact_decimal, format_decimal
from babel.numbers import format_percent as babel_format_percent
from django.conf import settings
from django.utils import timezone, translation

from .choices import Calendar, Digits
from .i18n import display_prefs
from .number_patterns import compact_writer, writer

__all__ = [
    "DASH",
    "babel_locale",
    "format_date",
    "format_datetime",
    "format_money",
    "format_number",
    "format_percent",
    "format_signed",
    "localize_digits",
    "script_locale",
]

DASH = "—"
# Each language's own digits, for a reader who chose them (CLDR's "arab" and "arabext" systems).
NATIVE_DIGITS = {"ar": ("arab", "٠١٢٣٤٥٦٧٨٩"), "fa": ("arabext", "۰۱۲۳۴۵۶۷۸۹")}
_TABLES = {base: str.maketrans("0123456789%", digits + "٪") for base, (_system, digits) in NATIVE_DIGITS.items()}
# Solar Hijri patterns (jdatetime's strftime) by Babel's style names.
JALALI_DATE = {"short": "%Y/%m/%d", "medium": "%d %B %Y", "long": "%d %B %Y", "full": "%A %d %B %Y"}


def babel_locale(language: str | None = None) -> Locale:
    """Django's language code (default: the active language) as a Babel locale: "zh-hans" ->
    zh_Hans, "pt-br" -> pt_BR; an unknown one -> en."""
    return _parse_locale((language or translation.get_language() or settings.LANGUAGE_CODE).lower())


@lru_cache(maxsize=32)
def _parse_locale(code: str) -> Locale:
    parts = code.replace("-", "_").split("_")
    if len(parts) > 1:
        parts[1] = parts[1].title() if len(parts[1]) == 4 else parts[1].upper()
    try:
        return Locale.parse("_".join(parts))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def _base(language: str | None) -> str:
    return (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()


def _native(language: str | None) -> str | None:
    """The language's base code when the reader wants its own digits, else None."""
    base = _base(language)
    if base in NATIVE_DIGITS and display_prefs().digits == Digits.NATIVE:
        return base
    return None


def _reader(language: str | None) -> tuple[Locale, str, str | None]:
    """(Babel locale, numbering system, base code when the reader wants its own digits), resolved
    once per figure: the active language and the display choices are read a single time."""
    code = (language or translation.get_language() or settings.LANGUAGE_CODE).lower()
    base = code.split("-")[0]
    native = base if base in NATIVE_DIGITS and display_prefs().digits == Digits.NATIVE else None
    return _parse_locale(code), (NATIVE_DIGITS[native][0] if native else "latn"), native


def _digits(text: str, native: str | None) -> str:
    return text.translate(_TABLES[native]) if native else text


@lru_cache(maxsize=256)
def _pattern_writer(locale: Locale, system: str, kind: str, decimals: int | None, currency: str | None = None):
    """The locale's standard decimal or currency pattern compiled (core.number_patterns), or None."""
    pattern = locale.currency_formats["standard"] if kind == "currency" else locale.decimal_formats[None]
    return writer(locale, system, pattern.pattern, decimals, currency)


def script_locale(language: str | None = None) -> str:
    """The reader's BCP 47 locale for the browser's Intl (`<html data-locale>`, static/js/i18n.js):
    "en", "zh-Hans", "ar-u-nu-arab", "fa-u-nu-arabext-ca-persian"."""
    code = (language or translation.get_language() or settings.LANGUAGE_CODE).lower()
    parts = code.split("-")
    tag = "-".join([parts[0], *(p.title() if len(p) == 4 else p.upper() for p in parts[1:])])
    extensions = []
    native = _native(code)
    if native:
        extensions.append(f"nu-{NATIVE_DIGITS[native][0]}")
    if display_prefs().calendar == Calendar.SOLAR_HIJRI and _base(code) == "fa":
        extensions.append("ca-persian")
    return f"{tag}-u-{'-'.join(extensions)}" if extensions else tag


def localize_digits(text: str, language: str | None = None) -> str:
    """`text` with its Western digits (and per cent sign) in the reader's own when they chose them."""
    native = _native(language)
    return str(text).translate(_TABLES[native]) if native else str(text)


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None


def format_number(value, decimals: int | None = None, *, language: str | None = None, compact: bool = False) -> str:
    """1,234,567.9 / 1.234.567,9 / ١٬٢٣٤٬٥٦٧٫٩; `decimals` fixes the digits after the point (None:
    as many as the value has, at most 3); `compact` writes 84.5K, 8.4万."""
    number = _decimal(value)
    if number is None:
        return DASH
    locale, system, native = _reader(language)
    if compact:
        return _digits(_compact(number, locale, system), native)
    digits = None if decimals is None else int(decimals)
    compiled = _pattern_writer(locale, system, "decimal", digits)
    text = compiled.write(number) if compiled else None
    if text is None:  # what the compiled patterns leave to Babel
        if digits is None:
            text = format_decimal(number, locale=locale, numbering_system=system)
        else:
            pattern = copy.copy(locale.decimal_formats[None])
            pattern.frac_prec = (digits, digits)
            text = pattern.apply(number, locale, numbering_system=system)
    return _digits(text, native)


def _compact(number: Decimal, locale: Locale, system: str, currency: str | None = None) -> str:
    """84.5K / 12K / 1.2M (English), 8.4万 / 12万 (Chinese): one decimal below ten of the unit,
    none from ten up, as the tables always showed. English keeps the house's lower-case "k"."""

    def write(digits: int) -> str:
        text = compact_writer(locale, system, digits, currency or None).write(number)
        if text is not None:
            return text
        if currency:
            return format_compact_currency(
                number, currency, locale=locale, fraction_digits=digits, numbering_system=system
            )
        return format_compact_decimal(number, locale=locale, fraction_digits=digits, numbering_system=system)

    text = write(0)
    whole = re.search(r"\d+", text)
    if whole and len(whole.group()) >= 4 and set(whole.group()[1:]) == {"0"}:
        # 999,600 rounds to "1000K": written in the next unit up, "1M"
        number = Decimal(10) ** len(str(int(abs(number)))) * (1 if number >= 0 else -1)
        text = write(0)
    elif whole and len(whole.group()) == 1:
        text = write(1)
    if locale.language == "en":
        text = re.sub(r"(?<=\d)K\b", "k", text)
    return text


def format_signed(value, decimals: int = 0, *, language: str | None = None) -> str:
    """A change: "+12", "-3.5" (a plain minus sign for none)."""
    number = _decimal(value)
    if number is None:
        return DASH
    text = format_number(abs(number), decimals, language=language)
    return ("-" if number < 0 else "+") + text


def format_money(
    value, currency: str | None = None, *, decimals: int = 0, compact: bool = False, language: str | None = None
) -> str:
    """An amount in `currency` (default the base currency): "$1,234", "‏1,234 US$", "US$1,234";
    `compact` for dense tables: "$1.2M", "84.5 ألف US$", "US$8.4万"."""
    number = _decimal(value)
    if number is None:
        return DASH
    currency = (currency or settings.BASE_CURRENCY).upper()
    locale, system, native = _reader(language)
    if compact and abs(number) >= 1000:
        return _digits(_compact(number, locale, system, currency), native)
    compiled = _pattern_writer(locale, system, "currency", int(decimals), currency)
    text = compiled.write(number) if compiled else None
    if text is None:  # what the compiled patterns leave to Babel
        pattern = copy.copy(locale.currency_formats["standard"])
        pattern.frac_prec = (int(decimals), int(decimals))
        text = pattern.apply(number, locale, currency=currency, currency_digits=False, numbering_system=system)
    return _digits(text, native)


def format_percent(value, decimals: int = 1, *, language: str | None = None) -> str:
    """A fraction as a percentage: 0.934 -> "93.4%" ("٩٣٫٤٪" with Arabic digits)."""
    number = _decimal(value)
    if number is None:
        return DASH
    locale, system, native = _reader(language)
    pattern = "#,##0" + ("." + "0" * int(decimals) if int(decimals) > 0 else "") + "%"
    compiled = writer(locale, system, pattern)
    text = compiled.write(number) if compiled else None
    if text is None:
        text = babel_format_percent(number, pattern, locale=locale, numbering_system=system)
    return _digits(text, native)


def _jalali(day: dt.date, style: str, language: str | None) -> str:
    return _jalali_text(day, style, _base(language) == "fa")


@lru_cache(maxsize=4096)
def _jalali_text(day: dt.date, style: str, persian: bool) -> str:
    jday = jdatetime.date.fromgregorian(date=day, locale="fa_IR" if persian else "en_US")
    return jday.strftime(JALALI_DATE.get(style, style))


@lru_cache(maxsize=4096)
def _gregorian_text(day: dt.date, style: str, locale: Locale) -> str:
    """Babel's date for a day, a style and a locale: the same text every time, so written once."""
    return babel_format_date(day, format=style, locale=locale)


def _local(moment: dt.datetime) -> dt.datetime:
    """An aware moment in the reader's time zone (their choice, else Django's current one)."""
    if not timezone.is_aware(moment):
        return moment
    zone = display_prefs().zone
    if zone:
        try:
            return moment.astimezone(zoneinfo.ZoneInfo(zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return timezone.localtime(moment)


def format_date(value, style: str = "medium", *, language: str | None = None) -> str:
    """A date (or a datetime, taken in the reader's time zone) in the locale's `style` (short,
    medium, long, full, or a CLDR pattern such as "d MMM"); in the Solar Hijri calendar for a
    reader who chose it."""
    if value is None or value == "":
        return DASH
    if isinstance(value, dt.datetime):
        day = _local(value).date()
    elif isinstance(value, dt.date):
        day = value
    else:
        return str(value)
    if display_prefs().calendar == Calendar.SOLAR_HIJRI and _base(language) == "fa":
        text = _jalali(day, style if style in JALALI_DATE else "medium", language)
    else:
        text = _gregorian_text(day, style, babel_locale(language))
    return localize_digits(text, language)


def format_datetime(value, style: str = "medium", *, language: str | None = None) -> str:
    """A moment in the reader's time zone: the date as `format_date` writes it and the time (HH:mm)."""
    if value is None or value == "":
        return DASH
    if not isinstance(value, dt.datetime):
        return format_date(value, style, language=language)
    moment = _local(value)
    if display_prefs().calendar == Calendar.SOLAR_HIJRI and _base(language) == "fa":
        text = f"{_jalali(moment.date(), style if style in JALALI_DATE else 'medium', language)} {moment:%H:%M}"
    else:
        # Babel's "HH:mm" is the hour and minute, zero-padded, in Western digits in every locale
        text = f"{_gregorian_text(moment.date(), style, babel_locale(language))} {moment:%H:%M}"
    return localize_digits(text, language)
