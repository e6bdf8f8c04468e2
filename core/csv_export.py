"""CSV downloads that a spreadsheet cannot turn into formulas.

Every CSV the product serves goes through `csv_response` (or `csv_write_rows` for a file of
one's own). Each cell passes through `csv_cell`, which neutralises formula injection the way
OWASP's "CSV Injection" page advises: a text cell starting with `=`, `+`, `-`, `@`, a tab or
a carriage return gets a leading apostrophe, so Excel, LibreOffice and Google Sheets show it
as text instead of evaluating it. Account names, task titles and event names (which an
ingest-only API key can choose) all reach exports, so no cell is trusted.

Numbers stay numbers: ints, floats and Decimals are written as digits (a negative MRR change
stays `-120.00`), and so is a text cell that is nothing but a plain decimal number.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse

__all__ = ["FORMULA_PREFIXES", "csv_cell", "csv_response", "csv_write_rows"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def csv_cell(value) -> str:
    """One cell's text: empty for None, digits for numbers, and an apostrophe before any text
    a spreadsheet would read as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_write_rows(stream, headers: Sequence, rows: Iterable[Sequence]) -> None:
    """Write a header line and rows to a text stream, every cell through `csv_cell`."""
    writer = csv.writer(stream)
    writer.writerow([csv_cell(h) for h in headers])
    writer.writerows([csv_cell(v) for v in row] for row in rows)


def csv_response(*, filename: str, headers: Sequence, rows: Iterable[Sequence]) -> HttpResponse:
    """An attachment download of one table; the audit trail records who exported it, how many
    rows, and the page's filters."""
    from core.audit import audit_record
    from core.audit.models import AuditAction

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    safe_name = filename.replace('"', "").replace("\r", "").replace("\n", "")
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    counted = [0]

    def counting(source):
        for row in source:
            counted[0] += 1
            yield row

    csv_write_rows(response, headers, counting(rows))
    audit_record(action=AuditAction.EXPORT, object_type="csv", object_repr=safe_name, extra={"rows": counted[0]})
    return response
