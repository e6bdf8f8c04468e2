"""Bulk inserts: PostgreSQL COPY (text, or binary records) or SQLite executemany, with the
model defaults for the columns a caller does not name."""

import functools
import json
from datetime import UTC, date, datetime
from decimal import Decimal

import numpy as np
from django.db import connection
from django.utils import timezone

from core.db import is_postgresql
from usage.ingest import PG_COPY_SIGNATURE, PG_COPY_TRAILER

from .stream import CopyStream

__all__ = ["BulkWriter", "hms_of_day"]

COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class BulkWriter:
    """Bulk inserts: PostgreSQL COPY (through a CopyStream once `start()` ran) or SQLite
    executemany. Columns a caller does not pass get the model field's default, so a column
    another floor adds later does not break the seed."""

    def __init__(self):
        self.pg = is_postgresql()
        self.null = "\\N" if self.pg else None  # what rows hold for NULL: COPY's token, or None
        self.tz_suffix = "+00" if self.pg else ""
        self._days: dict[int, str] = {}
        self.stream: CopyStream | None = None

    def start(self) -> None:
        if self.pg:
            self.stream = CopyStream()

    def finish(self) -> None:
        if self.stream is not None:
            stream, self.stream = self.stream, None
            stream.close()

    def abort(self) -> None:
        """After a failure in the main thread: stop the writer thread (the transaction rolls back)."""
        if self.stream is not None:
            stream, self.stream = self.stream, None
            try:
                stream.close()
            except BaseException:  # the main thread's error is the one to report
                pass

    def ts(self, value: datetime | None) -> str | None:
        """A timestamp to whole seconds, as PostgreSQL (with its offset) or SQLite (naive UTC)
        reads it; NULL as the writer's token. Day and time strings come from tables (a datetime's
        isoformat costs ~4x more, and a 100,000-account seed formats ~5M of them)."""
        if value is None:
            return self.null
        if value.tzinfo is not UTC:
            value = value.astimezone(UTC)
        ordinal = value.toordinal()
        day = self._days.get(ordinal)
        if day is None:
            day = self._days[ordinal] = value.date().isoformat()
        return f"{day} {hms_of_day()[value.hour * 3600 + value.minute * 60 + value.second]}{self.tz_suffix}"

    @staticmethod
    def _plain(value):
        if isinstance(value, dict | list):
            return json.dumps(value)
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, date):
            return value.isoformat()
        return value

    def defaults(self, model, columns: list[str]) -> tuple[list[str], tuple]:
        extra_cols, extra_vals = [], []
        for f in model._meta.concrete_fields:
            if f.column in columns or (f.primary_key and "id" not in columns):
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = self.ts(timezone.now())
            elif f.has_default():
                value = f.get_default()
                value = self.ts(value) if isinstance(value, datetime) else self._plain(value)
            elif f.null:
                value = None
            elif f.blank and f.get_internal_type() in ("CharField", "TextField", "EmailField"):
                value = ""
            else:
                raise RuntimeError(f"seed_demo does not know how to fill {model.__name__}.{f.name}")
            extra_cols.append(f.column)
            extra_vals.append(value)
        return extra_cols, tuple(extra_vals)

    def write(self, model, columns: list[str], rows: list[tuple]) -> int:
        """Rows of plain values (str, int, bool), NULL as `self.null`."""
        if not rows:
            return 0
        extra_cols, extra_vals = self.defaults(model, columns)
        all_cols = columns + extra_cols
        table = model._meta.db_table
        if not self.pg:
            marks = ", ".join(["%s"] * len(all_cols))
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(all_cols)}) VALUES ({marks})",
                    [row + extra_vals for row in rows],
                )
            return len(rows)
        end = "".join("\t" + _copy_text(self._plain(v)) for v in extra_vals) + "\n"
        line = "\t".join(["%s"] * len(columns))
        text = end.join([line % row for row in rows]) + end
        # Values are written unescaped; checked at C speed: a tab, newline, carriage return or
        # backslash inside a value (the demo's vocabularies have none) re-renders them escaped.
        null = self.null
        if (
            text.count("\t") != len(rows) * (len(all_cols) - 1)
            or text.count("\n") != len(rows)
            or "\r" in text
            or text.count("\\") != sum(row.count(null) for row in rows) + len(rows) * end.count("\\")
        ):
            text = end.join(["\t".join([v if v is null else _copy_text(v) for v in row]) for row in rows]) + end
        self.copy(f"COPY {table} ({', '.join(all_cols)}) FROM STDIN", [text.encode()])
        return len(rows)

    def copy(self, sql: str, parts: list) -> None:
        if self.stream is not None:
            self.stream.put(sql, parts)
            return
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for part in parts:
                copy.write(part)

    def binary(self, model, columns: list[str], records: np.ndarray) -> int:
        """PostgreSQL COPY in binary format of a NumPy record array already laid out as COPY's
        tuples (big-endian field count, then length and value per field): no per-row Python and
        nothing for the server to parse."""
        if len(records):
            self.copy(
                f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)",
                [PG_COPY_SIGNATURE, records.tobytes(), PG_COPY_TRAILER],
            )
        return len(records)


@functools.cache
def hms_of_day() -> list[str]:
    """ "HH:MM:SS" for each second of a day."""
    return [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]


def _copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    return str(value).translate(COPY_ESCAPES)
