"""The playbooks app's database-specific fast paths (STYLE.md §9): one small function each, the
portable implementation and the PostgreSQL one side by side. Domain modules call the function;
only this module (and core/db.py) asks which database it is on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, connections, router, transaction

from core.db import is_postgresql

from .choices import TaskStatus
from .models import Enrolment, Task

__all__ = ["actionable_task_count", "bookkeeping_writes", "enrolment_outcomes_store"]


def actionable_task_count(*, assignee_id: int, today) -> int:
    """`Task.objects.filter(assignee_id=...).actionable(today).count()` as one fixed, portable
    statement: the sidebar's task badge, on every page a CSM opens. Building it through the ORM
    (two filters, the OR, the aggregate) cost ~1,500 Python calls a page, more than the rest of
    the sidebar; the statement is the one the ORM wrote (tests/playbooks/test_sql.py compares
    them), read where the ORM would read it (the replica router)."""
    alias = router.db_for_read(Task)
    conn = connections[alias]
    quote = conn.ops.quote_name
    sql = (
        f"SELECT COUNT(*) FROM {quote(Task._meta.db_table)} WHERE {quote('assignee_id')} = %s"
        f" AND ({quote('status')} = %s OR ({quote('status')} = %s AND {quote('snoozed_until')} <= %s))"
    )
    with conn.cursor() as cursor:
        cursor.execute(sql, [assignee_id, TaskStatus.OPEN.value, TaskStatus.SNOOZED.value,
                             conn.ops.adapt_datefield_value(today)])  # fmt: skip
        return cursor.fetchone()[0]


def enrolment_outcomes_store(enrolments: list[Enrolment]) -> None:
    """Write each enrolment's `outcome`. On PostgreSQL one UPDATE ... FROM (VALUES ...): Django's
    bulk_update builds a CASE over every row, which is several times slower for JSON."""
    if is_postgresql():
        _outcomes_store_postgresql(enrolments)
    else:
        _outcomes_store_portable(enrolments)


def _outcomes_store_portable(enrolments: list[Enrolment]) -> None:
    Enrolment.objects.bulk_update(enrolments, ["outcome"])


def _outcomes_store_postgresql(enrolments: list[Enrolment]) -> None:
    table = Enrolment._meta.db_table
    values = ", ".join(["(%s, %s::jsonb)"] * len(enrolments))
    params: list = []
    for e in enrolments:
        params += [e.pk, json.dumps(e.outcome)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS e SET outcome = v.outcome FROM (VALUES {values}) AS v(id, outcome) WHERE e.id = v.id",
            params,
        )


@contextmanager
def bookkeeping_writes() -> Iterator[None]:
    """One transaction for bookkeeping rows (a playbook run's record, `last_run_at`) whose commit
    need not wait for the WAL flush: on PostgreSQL `SET LOCAL synchronous_commit = off`. A crash
    may lose the last fraction of a second of such commits, never a later one's (the WAL is one
    sequence: the next synchronous commit, such as an enrolment chunk's, flushes them too), and
    nothing exactly-once depends on them (the enrolments' unique key does). Inside an outer
    transaction it is a plain savepoint: the outer commit, which may carry durable writes, keeps
    its flush. A plain transaction on other databases."""
    defer_flush = is_postgresql() and not connection.in_atomic_block
    with transaction.atomic():
        if defer_flush:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        yield
