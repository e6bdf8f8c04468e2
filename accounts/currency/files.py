"""Rate files: the ECB's reference-rate history and a plain `currency,month,rate` CSV.

ECB (eurofxref-hist.csv, https://www.ecb.europa.eu/stats/eurofxref/): `Date,USD,JPY,...` with
one row per TARGET business day, each value = units of that currency per 1 EUR ("N/A" or
empty where there is none). Monthly rates against the base currency are the **average of the
month's daily cross rates**: each day, 1 X = (base per EUR) / (X per EUR) base (1 EUR = the
base's value when the base is not EUR; 1 X = 1 / (X per EUR) when it is); then the mean over
the days of the month that have both values. Why the average, not the month-end: MRR converted
with a month's rate stands for revenue earned across the whole month, and an average is what
accounting uses for income items (IAS 21 §40); a month-end rate would let one day's swing
restate the whole month. The current month's average covers the days published so far."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .rates import base_currency

__all__ = ["RateFileInvalid", "ecb_monthly_rates", "rates_from_csv"]

PLACES = Decimal("1e-10")


class RateFileInvalid(ValueError):
    pass


def _number(text: str) -> Decimal | None:
    text = (text or "").strip()
    if not text or text.upper() == "N/A":
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() and value > 0 else None


def ecb_monthly_rates(rows: Iterable[dict], *, base: str | None = None) -> list[dict]:
    """ECB daily rows ({"Date": "2026-01-02", "USD": "1.0321", ...}) -> monthly rates
    [{"currency", "month": "YYYY-MM", "rate"}] of every currency (EUR included) against
    `base` (default: the base currency). Raises RateFileInvalid when the base is not in the file."""
    base = base or base_currency()
    sums: dict[tuple[str, str], list] = defaultdict(lambda: [Decimal(0), 0])
    seen_base = base == "EUR"
    for row in rows:
        day = (row.get("Date") or "").strip()
        if len(day) < 7:
            continue
        month = day[:7]
        per_eur = {code.strip().upper(): _number(v) for code, v in row.items() if code and code != "Date"}
        per_eur = {c: v for c, v in per_eur.items() if len(c) == 3 and c.isalpha() and v is not None}
        per_eur["EUR"] = Decimal(1)
        if base != "EUR":
            if base not in per_eur:
                continue
            seen_base = True
        base_per_eur = per_eur[base]
        for code, value in per_eur.items():
            if code == base:
                continue
            target = sums[(code, month)]
            target[0] += base_per_eur / value
            target[1] += 1
    if not seen_base:
        raise RateFileInvalid(
            _("The file has no %(base)s column: it cannot give rates to the base currency.") % {"base": base}
        )
    return [
        {"currency": code, "month": month, "rate": (total / count).quantize(PLACES)}
        for (code, month), (total, count) in sorted(sums.items())
    ]


def rates_from_csv(text: str, *, base: str | None = None) -> list[dict]:
    """A CSV file's rates: the ECB format (a `Date` column) or `currency,month,rate` rows
    (the items of POST /api/v1/fx-rates/; checked by fx_rates_upsert)."""
    text = text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip() for f in reader.fieldnames or []]
    reader.fieldnames = fields
    if "Date" in fields:
        return ecb_monthly_rates(reader, base=base)
    if {"currency", "month", "rate"} <= {f.lower() for f in fields}:
        lower = {f: f.lower() for f in fields}
        return [{lower[k]: (v or "").strip() for k, v in row.items() if k in lower} for row in reader]
    raise RateFileInvalid(
        _("Unknown file: expected the ECB's eurofxref-hist.csv (Date,USD,JPY,...) or columns currency,month,rate.")
    )
