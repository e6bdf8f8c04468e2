"""Health's database seam (STYLE.md §9): every PostgreSQL fast path of the app, each beside
its portable implementation, chosen by `core.db.is_postgresql()`. Domain modules
(health.recompute, health.history, health.measures_days) call these functions and never look
at the vendor.

- snapshots: storing snapshots (COPY / upsert), the history's overlapped COPY, ANALYZE;
- accounts: the Account health columns from a day's snapshots;
- rows: packed integer reads, the history's usage rows, the parents' roll-up updates.

numpy and psycopg are imported where used, so importing the seam stays cheap.
"""

from core.db import is_postgresql

from .accounts import account_columns_update
from .rows import id_clause, int_rows, rollup_scores_update, usage_rows_days
from .snapshots import (
    SNAPSHOT_FIELDS,
    SnapshotCopier,
    history_copier,
    snapshots_analyze,
    snapshots_pg_write,
    snapshots_store,
    snapshots_upsert,
)

__all__ = [
    "SNAPSHOT_FIELDS",
    "SnapshotCopier",
    "account_columns_update",
    "history_copier",
    "id_clause",
    "int_rows",
    "read_ahead_possible",
    "rollup_scores_update",
    "snapshots_analyze",
    "snapshots_pg_write",
    "snapshots_store",
    "snapshots_upsert",
    "usage_rows_days",
]


def read_ahead_possible() -> bool:
    """Can a second connection read while this one writes? PostgreSQL only (SQLite has one
    writer and the test database is in memory), and never inside a transaction (the second
    connection would not see its uncommitted rows)."""
    from django.db import connection

    return is_postgresql() and not connection.in_atomic_block
