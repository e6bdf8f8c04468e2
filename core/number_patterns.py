"""Babel's number patterns compiled once per locale, numbering system, digits and currency (core.formats).

Babel's `format_decimal`, `format_currency` and `format_compact_*` look up the locale's symbols,
the currency's sign and (compact forms) the pattern for the number's size and plural form again
on every call: 20-200 µs a figure, which a table of 50 rows with a few figures a row pays
hundreds of times a page. A `Writer` holds all of that, resolved once per (locale, numbering
system, pattern, digits after the point, currency) and kept (`lru_cache`); writing a value is then
the Decimal arithmetic Babel does (the same quantize, the same rounding) and string joins.

The text is Babel's, character for character: `tests/core/test_number_patterns.py` compares both
on thousands of values in every language of the site. A pattern this does not cover
(scientific, significant digits, the currency's long name, quoted text) compiles to None, and
core.formats then asks Babel itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import (
    get_currency_symbol,
    get_decimal_precision,
    get_decimal_quantum,
    get_decimal_symbol,
    get_group_symbol,
    parse_pattern,
)

__all__ = ["CompactWriter", "Writer", "compact_writer", "writer"]


@dataclass(frozen=True, slots=True)
class Writer:
    """One number pattern with everything resolved: `NumberPattern.apply` without the look-ups."""

    prefix: tuple[str, str]
    suffix: tuple[str, str]
    group: str
    point: str
    grouping: tuple[int, int]
    int_min: int
    frac: tuple[int, int]
    scale: int
    quantize: bool  # False: Babel's decimal_quantization=False (keep the value's own digits)
    quantum: Decimal = field(compare=False)

    def write(self, value: Decimal) -> str | None:
        """`value` as Babel writes it; None for what Babel treats apart (infinity, NaN)."""
        if not value.is_finite():
            return None
        value = value.scaleb(self.scale)
        negative = int(value.is_signed())
        value = abs(value).normalize()
        low, high = self.frac
        quantum = self.quantum
        if not self.quantize:
            precision = get_decimal_precision(value)
            if precision > high:
                high, quantum = precision, get_decimal_quantum(precision)
        whole, _, fraction = f"{value.quantize(quantum):f}".partition(".")
        number = self._int(whole) + self._frac(fraction or "0", low, high)
        return f"{self.prefix[negative]}{number}{self.suffix[negative]}"

    def _int(self, digits: str) -> str:
        if len(digits) < self.int_min:
            digits = "0" * (self.int_min - len(digits)) + digits
        size, rest = self.grouping
        if len(digits) <= size:
            return digits
        parts = [digits[-size:]]
        digits = digits[:-size]
        while len(digits) > rest:
            parts.append(digits[-rest:])
            digits = digits[:-rest]
        parts.append(digits)
        return self.group.join(reversed(parts))

    def _frac(self, digits: str, low: int, high: int) -> str:
        if len(digits) < low:
            digits += "0" * (low - len(digits))
        if high == 0 or (low == 0 and int(digits) == 0):
            return ""
        while len(digits) > low and digits[-1] == "0":
            digits = digits[:-1]
        return self.point + digits


@lru_cache(maxsize=512)
def writer(
    locale: Locale,
    system: str,
    pattern: str,
    decimals: int | None = None,
    currency: str | None = None,
    quantize: bool = True,
) -> Writer | None:
    """`pattern` (a CLDR number pattern) compiled for `locale` in numbering `system`;
    `decimals` fixes the digits after the point (None: the pattern's); None when Babel must write it."""
    parsed = parse_pattern(pattern)
    if parsed.exp_prec or "@" in parsed.pattern or not parsed.number_pattern:
        return None
    prefix, suffix = list(parsed.prefix), list(parsed.suffix)
    if currency is not None:
        if any("¤¤¤" in text for text in prefix + suffix):
            return None  # the currency's name depends on the value's plural form
        symbol = get_currency_symbol(currency, locale)
        prefix = [text.replace("¤¤", currency.upper()).replace("¤", symbol) for text in prefix]
        suffix = [text.replace("¤¤", currency.upper()).replace("¤", symbol) for text in suffix]
    group = get_group_symbol(locale, numbering_system=system)
    point = get_decimal_symbol(locale, numbering_system=system)
    if any("'" in text for text in [*prefix, *suffix, group, point]):
        return None  # Babel unquotes the whole text afterwards
    frac = (decimals, decimals) if decimals is not None else parsed.frac_prec
    return Writer(
        prefix=(prefix[0], prefix[1]),
        suffix=(suffix[0], suffix[1]),
        group=group,
        point=point,
        grouping=parsed.grouping,
        int_min=parsed.int_prec[0],
        frac=frac,
        scale=parsed.scale,
        quantize=quantize,
        quantum=get_decimal_quantum(frac[1]),
    )


@dataclass(frozen=True, slots=True)
class _Size:
    """One magnitude of a compact format: its pattern for each plural form."""

    magnitude: int
    divisor: int | None  # None: the pattern is "0", the number is written whole
    forms: dict[str, str]  # plural form -> pattern, for the forms that have this magnitude
    same: str | None  # the pattern when every form has the same one (no plural rule to run)


@dataclass(frozen=True, slots=True)
class CompactWriter:
    """Babel's `format_compact_decimal` / `format_compact_currency` (short) for one locale,
    numbering system, digits after the point and currency: the same choice of magnitude and
    plural form, with the patterns looked up once."""

    locale: Locale
    system: str
    fraction_digits: int
    currency: str | None
    sizes: tuple[_Size, ...]
    known: frozenset[str]  # the plural forms the format has
    plain: str | None  # the pattern below the smallest magnitude (None: the currency fallback)
    currency_fallback: str | None  # Babel's pattern when the chosen one has no currency sign

    def write(self, number: Decimal) -> str | None:
        if not number.is_finite():
            return None
        pattern = self.plain
        for size in self.sizes:
            if abs(number) < size.magnitude:
                continue
            if size.divisor is None:
                pattern = size.forms["other"]
                break
            number = number / size.divisor
            rounded = round(number, self.fraction_digits)
            pattern = size.same or size.forms.get(self._form(number), size.forms["other"])
            number = rounded
            break
        if self.currency is not None and (pattern is None or "¤" not in pattern):
            pattern = self.currency_fallback
        if pattern is None:
            return None
        compiled = writer(self.locale, self.system, pattern, None, self.currency, False)
        return compiled.write(number) if compiled else None

    def _form(self, number: Decimal) -> str:
        form = self.locale.plural_form(abs(number))
        if form not in self.known:
            form = "other"
        if number == 1 and "1" in self.known:
            form = "1"
        return form


@lru_cache(maxsize=128)
def compact_writer(locale: Locale, system: str, fraction_digits: int, currency: str | None = None) -> CompactWriter:
    """The short compact format of `locale` (of money in `currency` when given), compiled."""
    formats = locale.compact_currency_formats if currency is not None else locale.compact_decimal_formats
    table = formats["short"]
    sizes = []
    for magnitude in sorted((int(m) for m in table["other"]), reverse=True):
        key = str(magnitude)
        other = table["other"][key].pattern
        if other == "0":
            sizes.append(_Size(magnitude, None, {"other": other}, other))
            continue
        forms = {form: table[form][key].pattern for form in table if key in table[form]}
        divisor = magnitude // (10 ** (other.count("0") - 1))
        sizes.append(_Size(magnitude, divisor, forms, other if len(set(forms.values())) == 1 else None))
    fallback = None
    if currency is not None:
        for key in table["other"]:
            candidate = table["other"][key].pattern
            if "¤" in candidate:
                candidate = re.sub(r"[^0\s\¤]", "", candidate)
                fallback = re.sub(r"(\s)\s+", r"\1", candidate).strip()
                break
    return CompactWriter(
        locale=locale,
        system=system,
        fraction_digits=fraction_digits,
        currency=currency,
        sizes=tuple(sizes),
        known=frozenset(table),
        plain=locale.decimal_formats[None].pattern if currency is None else None,
        currency_fallback=fallback,
    )
