"""The reports floor's database-specific code (STYLE.md §9): one small interface, a portable
implementation and a PostgreSQL one side by side; `core.db.is_postgresql()` picks.

- `refresh_query_settings(work_mem=...)`: session settings for the nightly refresh's large
  aggregates (PostgreSQL: no JIT, more work_mem; elsewhere nothing to set).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from core.db import is_postgresql

__all__ = ["refresh_query_settings"]


@contextmanager
def refresh_query_settings(*, work_mem: str) -> Iterator[None]:
    """For the refresh's large aggregates, on the database in use (see the implementations)."""
    if is_postgresql():
        with _refresh_query_settings_postgresql(work_mem=work_mem):
            yield
    else:
        yield  # SQLite: no planner settings to change


@contextmanager
def _refresh_query_settings_postgresql(*, work_mem: str) -> Iterator[None]:
    """No JIT (the planner expects 100 rows from every jsonb_each / jsonb_array_elements call,
    so it compiled queries that run in ~100 ms, for ~1.5 s each at 10,000 accounts) and enough
    work_mem for the per-(account, contact) hash of usage.periods (~230 MB at 100,000
    accounts; it spills beyond). Set for the session and put back after (a rolled-back
    transaction puts them back itself)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), current_setting('work_mem')")
        jit, old_work_mem = cursor.fetchone()
        cursor.execute("SELECT set_config('jit', 'off', false), set_config('work_mem', %s, false)", [work_mem])
    try:
        yield
    finally:
        if not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('jit', %s, false), set_config('work_mem', %s, false)", [jit, old_work_mem]
                )
