"""A fresh seed's bulk load on PostgreSQL: the foreign keys and plain indexes of the big tables
dropped for the load and put back at the end (one checking join per key, indexes built by
sorting)."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from core.db import is_postgresql
from usage.models import UsageEvent

__all__ = ["BUILD_MEMORY", "bulk_load"]

BUILD_MEMORY = "1GB"  # maintenance_work_mem for the index builds after a bulk load


@contextmanager
def bulk_load(*, keys_of: list, indexes_of: list) -> Iterator[None]:
    """PostgreSQL, when every table is empty at the start (a fresh seed): drop the foreign keys
    and plain indexes (those behind no constraint) of `keys_of` and `indexes_of`, and the unique
    constraints of `indexes_of` too (the events and their rollups: ~50M rows at 100,000
    accounts), for the bulk load; put them back at the end and ANALYZE. A re-added key is
    checked in one join over its table instead of a deferred trigger per row queued until the
    commit, and an index built by sorting costs about a third of one maintained row by row
    (measured: docs/decisions.md); the builds get a larger maintenance_work_mem (sorts in
    memory, and room for PostgreSQL's parallel workers: the second core is idle by then).
    Inside the seed's transaction, so a failure restores them with everything else. Elsewhere
    (SQLite, or tables with rows) nothing changes."""
    if not is_postgresql():
        yield
        return
    keys_tables = [m._meta.db_table for m in keys_of + indexes_of]
    index_tables = [m._meta.db_table for m in indexes_of]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(f"(SELECT 1 FROM {t} LIMIT 1)" for t in keys_tables))
        if cursor.fetchall():
            yield
            return
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[]) AND (contype = 'f' OR (contype IN ('p', 'u') "
            " AND conrelid = ANY(%s::regclass[]) AND NOT EXISTS "
            " (SELECT 1 FROM pg_constraint r WHERE r.contype = 'f' AND r.confrelid = pg_constraint.conrelid))) "
            "ORDER BY contype = 'f' DESC, 1, 2",
            [keys_tables, index_tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = ANY(%s::regclass[]) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
            [keys_tables],
        )
        indexes = cursor.fetchall()
        # ALTER TABLE refuses while deferred checks are pending on a table
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name, _ in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SHOW maintenance_work_mem")
        memory = cursor.fetchone()[0]
        cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", [BUILD_MEMORY])
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # unique constraints and indexes first, then the foreign keys (checked against them)
        for table, name, definition in reversed(constraints):
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for _, definition in indexes:
            # a partitioned table's index reads "ON ONLY" (just the parent): build every partition's
            cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", [memory])
        # fresh statistics for the steps that read these tables next (the events are left to
        # autovacuum: nothing in the seed reads them back)
        cursor.execute(f"ANALYZE {', '.join(t for t in keys_tables if t != UsageEvent._meta.db_table)}")
