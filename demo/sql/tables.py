"""The other steps' database-specific pieces: emptying the customer tables, ids reserved from
a sequence, rows written by COPY, fresh statistics for the events."""

import json
from datetime import datetime

from django.db import connection

from core.db import is_postgresql

__all__ = [
    "COPY_CHUNK",
    "customer_tables_empty",
    "event_partitions_ensure",
    "events_analyze",
    "ids_reserve",
    "rows_insert",
]

COPY_CHUNK = 20_000  # rows per write to the COPY stream


def customer_tables_empty(models: list) -> bool:
    """PostgreSQL: empty the tables of `models` in one TRUNCATE ... RESTART IDENTITY CASCADE
    (which also empties the other floors' tables that point at them) and answer True; elsewhere
    do nothing and answer False (the caller deletes through the ORM's cascade)."""
    if not is_postgresql():
        return False
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            # TRUNCATE refuses while deferred foreign-key checks are pending (e.g. in tests)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        if connection.in_atomic_block:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return True


def event_partitions_ensure(*, months: set) -> None:
    """PostgreSQL: the monthly partitions of the events table for every month in `months`
    (usage.ingest). Elsewhere the table is not partitioned: nothing to do."""
    if not is_postgresql():
        return
    from usage.ingest import usage_partitions_ensure

    usage_partitions_ensure(months=months)


def events_analyze(model) -> None:
    """PostgreSQL: statistics for the freshly loaded events (the accounts step leaves them
    without: nothing before reads them), on the columns lookups filter on only (the properties'
    jsonb statistics were most of the ANALYZE's time). Elsewhere nothing."""
    if not is_postgresql():
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {model._meta.db_table} (account_id, event, occurred_at)")


def ids_reserve(model, n: int) -> list[int] | None:
    """PostgreSQL: n consecutive ids from the table's identity sequence (the table is locked
    against inserts until the seed's transaction ends: an INSERT takes its table lock before it
    draws from the sequence), then one setval moves the sequence past the n ids. Elsewhere None
    (the ids come back from the insert)."""
    if not is_postgresql():
        return None
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(f"SELECT pg_get_serial_sequence('{table}', 'id')")
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [sequence, sequence, n])
        last = cursor.fetchone()[0]
    return list(range(last - n + 1, last + 1))


def rows_insert(model, fields: list[str], rows: list[tuple], *, ids: list[int] | None = None) -> list[int] | None:
    """Insert rows (tuples in `fields` order; JSON fields as Python values). PostgreSQL: one
    COPY in text format, formatted here (psycopg's write_row was a third of the step at 100,000
    accounts), with `ids` as the id column when given. Elsewhere bulk_create; returns the new ids
    when the backend gives them."""
    if not rows:
        return []
    if is_postgresql():
        cols = (["id"] if ids is not None else []) + fields
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {model._meta.db_table} ({', '.join(cols)}) FROM STDIN") as copy,
        ):
            for at in range(0, len(rows), COPY_CHUNK):
                chunk = rows[at : at + COPY_CHUNK]
                if ids is not None:
                    chunk = [(ids[at + k], *row) for k, row in enumerate(chunk)]
                copy.write("".join("\t".join(map(_copy_text, row)) + "\n" for row in chunk))
        return ids
    objs = model.objects.bulk_create([model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=2000)
    return [o.id for o in objs]


def _copy_text(value) -> str:
    """One value in COPY's text format."""
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is datetime:
        return value.isoformat()
    if value is None:
        return "\\N"
    if kind is bool:
        return "t" if value else "f"
    text = json.dumps(value) if isinstance(value, dict | list) else str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text
