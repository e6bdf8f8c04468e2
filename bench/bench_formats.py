"""A table cell's figure (issue 22): `core.formats` (Babel's patterns compiled once,
core.number_patterns) against Babel called per figure, as core.formats did before, in the same run.

Process CPU per call, median of 5 batches of 2,000 calls, for English, Arabic (Arabic-Indic
digits) and Chinese. No database.

    .venv/bin/python -m bench --only formats
"""

from __future__ import annotations

import copy
import datetime as dt
import statistics
import time
from decimal import Decimal

from bench.setup import ratio

CALLS = 2_000
BATCHES = 5


def _per_call_us(fn, values) -> float:
    samples = []
    for _ in range(BATCHES):
        started = time.process_time()
        for value in values:
            fn(value)
        samples.append((time.process_time() - started) / len(values) * 1e6)
    return statistics.median(samples)


def _cases(locale, system: str, amounts, days) -> list:
    """(label, core.formats call, the Babel call core.formats made before, values)."""
    from babel.dates import format_date as babel_date
    from babel.numbers import format_compact_currency, format_decimal
    from babel.numbers import format_percent as babel_percent

    from core import formats

    standard = copy.copy(locale.currency_formats["standard"])
    standard.frac_prec = (0, 0)

    def babel_money(v):
        text = standard.apply(v, locale, currency="USD", currency_digits=False, numbering_system=system)
        return formats.localize_digits(text)

    def babel_compact(v):  # one call; core.formats' compact money may make two
        return format_compact_currency(v, "EUR", locale=locale, fraction_digits=1, numbering_system=system)

    return [
        ("money", lambda v: formats.format_money(v, "USD"), babel_money, amounts),
        ("money, compact", lambda v: formats.format_money(v, "EUR", compact=True), babel_compact, amounts),
        ("number", formats.format_number, lambda v: format_decimal(v, locale=locale, numbering_system=system), amounts),
        (
            "percent",
            lambda v: formats.format_percent(v / 10**7),
            lambda v: babel_percent(v / 10**7, "#,##0.0%", locale=locale, numbering_system=system),
            amounts,
        ),
        ("date", formats.format_date, lambda d: babel_date(d, format="medium", locale=locale), days),
    ]


def run(args) -> None:
    from django.utils import translation

    from core import formats
    from core.i18n import DisplayPrefs, display_override

    calls = 200 if args.smoke else CALLS
    amounts = [Decimal(i * 1234.5) for i in range(calls)]
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=i % 300) for i in range(calls)]
    for language, digits in (("en", "latn"), ("ar", "native"), ("zh-hans", "latn")):
        with translation.override(language), display_override(DisplayPrefs(digits=digits)):
            system = "arab" if language == "ar" and digits == "native" else "latn"
            for label, ours, babel, values in _cases(formats.babel_locale(), system, amounts, days):
                ours(values[0]), babel(values[0])  # warm: compile, load the locale
                babel_us, ours_us = _per_call_us(babel, values), _per_call_us(ours, values)
                print(
                    f"{language:8} {label:15} Babel per call {babel_us:6.1f} µs, core.formats {ours_us:6.1f} µs "
                    f"({ratio(ours_us, babel_us)})",
                    flush=True,
                )
