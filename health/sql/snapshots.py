"""Storing snapshots (HealthScore rows): bulk_create with update_conflicts everywhere, COPY on
PostgreSQL, side by side. Also the history's COPY that overlaps the scoring of the next chunk
(SnapshotCopier) and the ANALYZE after a large backfill."""

import json
from collections.abc import Callable, Sequence
from datetime import date

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.db import Pipeline, is_postgresql

from ..models import HealthScore

__all__ = [
    "SNAPSHOT_FIELDS",
    "SnapshotCopier",
    "history_copier",
    "snapshots_analyze",
    "snapshots_pg_write",
    "snapshots_store",
    "snapshots_upsert",
]

# The columns a COPY sends, in this order.
SNAPSHOT_FIELDS = [
    "account_id",
    "day",
    "scorecard_id",
    "score",
    "band",
    "computed_score",
    "source",
    "measures",
    "computed_at",
]

# Below this many rows a COPY costs more than it saves.
COPY_FROM_ROWS = 200


# Section: one day's rows (the recompute)


def snapshots_upsert(rows: Sequence[dict]) -> None:
    """Insert or replace (account, day) snapshots. PostgreSQL: COPY straight into the table
    when none of these rows exists yet, else COPY into a temporary table and one INSERT ...
    ON CONFLICT that rewrites only the rows whose content changed; elsewhere (and for a few
    rows) bulk_create with update_conflicts."""
    if not rows:
        return
    now = timezone.now()
    if is_postgresql() and len(rows) >= COPY_FROM_ROWS:
        _upsert_postgresql(rows, now)
    else:
        _upsert_portable(rows, now)


def _upsert_portable(rows: Sequence[dict], now) -> None:
    HealthScore.objects.bulk_create(
        [HealthScore(computed_at=now, **r) for r in rows],
        batch_size=500,
        update_conflicts=True,
        unique_fields=["account", "day"],
        update_fields=[f.removesuffix("_id") if f == "scorecard_id" else f for f in SNAPSHOT_FIELDS[2:]],
    )


def _upsert_postgresql(rows: Sequence[dict], now) -> None:
    dumps = json.JSONEncoder(check_circular=False).encode

    def write(copy):
        for r in rows:
            copy.write_row(
                (
                    r["account_id"],
                    r["day"],
                    r["scorecard_id"],
                    r["score"],
                    r["band"],
                    r["computed_score"],
                    r["source"],
                    dumps(r["measures"]),
                    now,
                )
            )

    ids = [r["account_id"] for r in rows]
    snapshots_pg_write(write, days=sorted({r["day"] for r in rows}), lo=min(ids), hi=max(ids))


def snapshots_pg_write(write: Callable, *, days: Sequence[date], lo: int, hi: int) -> None:
    """PostgreSQL: store snapshots of these days for accounts lo..hi that `write(copy)` sends
    to a COPY in the order of SNAPSHOT_FIELDS (it may be called twice). COPY straight into the
    table when none of those rows exists yet, else through a temporary table and one INSERT ...
    ON CONFLICT that rewrites only the rows whose content changed."""
    table = HealthScore._meta.db_table
    cols = ", ".join(SNAPSHOT_FIELDS)
    fresh = not HealthScore.objects.filter(day__in=list(days), account_id__gte=lo, account_id__lte=hi).exists()
    if fresh:
        # The usual nightly case (a new day): COPY straight into the table. Should an
        # on-demand refresh have inserted one of these rows meanwhile, the unique
        # constraint stops the COPY and the upsert below runs instead.
        # The COPY runs on psycopg's own cursor, outside Django's error translation: wrapped
        # here so a unique violation arrives as IntegrityError (else it failed the whole night).
        try:
            with transaction.atomic(), connection.cursor() as cursor, connection.wrap_database_errors:
                with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    write(copy)
            return
        except IntegrityError:
            pass
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS health_snap_in ON COMMIT DELETE ROWS "
            f"AS SELECT {cols} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY health_snap_in ({cols}) FROM STDIN") as copy:
            write(copy)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in SNAPSHOT_FIELDS[2:])
        # A row whose content is unchanged is left alone (no new row version, no index
        # churn): a rerun of the same day writes only what moved, and keeps its computed_at.
        content = SNAPSHOT_FIELDS[2:-1]
        old = ", ".join(f"t.{c}" for c in content)
        new = ", ".join(f"EXCLUDED.{c}" for c in content)
        cursor.execute(
            f"INSERT INTO {table} AS t ({cols}) SELECT {cols} FROM health_snap_in "
            f"ON CONFLICT (account_id, day) DO UPDATE SET {updates} "
            f"WHERE ({old}) IS DISTINCT FROM ({new})"
        )
        cursor.execute("DELETE FROM health_snap_in")


# Section: many days' rows (the history)


def snapshots_store(
    write: Callable, rows: Callable[[], list[dict]], *, days: Sequence[date], lo: int, hi: int, count: int | None = None
) -> None:
    """Store a chunk's snapshots of many days: `write(copy)` sends them as COPY text
    (PostgreSQL), `rows()` gives them as dicts (elsewhere, and for fewer than COPY_FROM_ROWS
    when `count` says so: snapshots_upsert)."""
    if is_postgresql() and (count is None or count >= COPY_FROM_ROWS):
        snapshots_pg_write(write, days=list(days), lo=lo, hi=hi)
    else:
        snapshots_upsert(rows())


def history_copier(days: Sequence[date], chunks: int) -> "SnapshotCopier | None":
    """A SnapshotCopier on PostgreSQL for more than one chunk; None: store one after the other."""
    return SnapshotCopier(days) if is_postgresql() and chunks > 1 else None


class SnapshotCopier:
    """PostgreSQL: COPY a chunk's new snapshots on a second thread over this very connection
    (so inside the caller's transaction, the demo seed's one), while this thread scores the
    next chunk: PostgreSQL parses the JSON on one core while Python works on the other. This
    thread leaves the connection alone until `wait()`. Chunks that have snapshots already go
    through snapshots_pg_write (upsert) here, as does a COPY stopped by a row inserted
    meanwhile."""

    def __init__(self, days: Sequence[date]):
        self.pipeline = Pipeline("health-history-copy")
        self.pending = None
        # No snapshot of these days at all (a new history): no chunk needs its own check.
        self.fresh = not HealthScore.objects.filter(day__in=list(days)).exists()

    def submit(self, write: Callable, days: Sequence[date], ids: Sequence[int]) -> None:
        self.wait()
        lo, hi = min(ids), max(ids)
        if (
            not self.fresh
            and HealthScore.objects.filter(day__in=list(days), account_id__gte=lo, account_id__lte=hi).exists()
        ):
            snapshots_pg_write(write, days=list(days), lo=lo, hi=hi)
            return
        connection.ensure_connection()
        raw, in_atomic = connection.connection, connection.in_atomic_block
        sql = f"COPY {HealthScore._meta.db_table} ({', '.join(SNAPSHOT_FIELDS)}) FROM STDIN"

        def copy_in() -> bool:
            import psycopg

            with raw.cursor() as cursor:
                if in_atomic:
                    cursor.execute("SAVEPOINT health_history_copy")
                try:
                    with cursor.copy(sql) as copy:
                        write(copy)
                except psycopg.errors.UniqueViolation:
                    if in_atomic:
                        cursor.execute("ROLLBACK TO SAVEPOINT health_history_copy")
                    return False
                if in_atomic:
                    cursor.execute("RELEASE SAVEPOINT health_history_copy")
            return True

        self.pending = (self.pipeline.submit(copy_in), write, list(days), lo, hi)

    def wait(self) -> None:
        if self.pending is None:
            return
        future, write, days, lo, hi = self.pending
        self.pending = None
        if not future.result():
            snapshots_pg_write(write, days=days, lo=lo, hi=hi)

    def close(self) -> None:
        """Never leave the COPY running on the connection: wait for the worker. Its error, if
        any, was raised by wait() already (or another one is on its way up)."""
        try:
            self.pipeline.close()
        except BaseException:  # noqa: BLE001, S110 - raised by wait(), or the caller's error wins
            pass


def snapshots_analyze() -> None:
    """PostgreSQL: fresh statistics after millions of new rows (the demo: ~4M at 100k, in one
    transaction, so autovacuum has not seen them): without them the roll-up, the Account
    columns and the backtest's reads plan sequential scans over all of them."""
    if is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {HealthScore._meta.db_table}")
