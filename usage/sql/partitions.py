"""PostgreSQL only: the month partitions of the events table (accounts migration 0007), each
with its unique index on message keys (0014), made on demand before a write. A no-op elsewhere."""

import logging
import re
from collections.abc import Iterable
from datetime import date, datetime
from functools import partial

from django.db import DatabaseError, connection, transaction

from core.db import is_postgresql

from ..ingest.batch import EVENTS_TABLE

logger = logging.getLogger(__name__)

_known_partitions: set[tuple[str, str]] = set()  # (database name, partition table)

_pending_partitions: set[tuple[str, str]] = set()  # created in a transaction not committed yet


def _month_start(moment: datetime | date) -> date:
    return date(moment.year, moment.month, 1)


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


# What keeps message keys unique, on each partition (the parent cannot have it: a unique index
# on a partitioned table must hold the partition key). The same as migration 0014's.
KEY_INDEX_SQL = (
    "CREATE UNIQUE INDEX IF NOT EXISTS {name}_message_key ON {name} (message_key) WHERE message_key IS NOT NULL"
)


def usage_partitions_ensure(*, months: Iterable[date]) -> None:
    """Create the month partitions of the events table that are missing (PostgreSQL only),
    each with its unique index on message keys.

    Seeds and importers call it before they COPY. A month that already has rows in the DEFAULT
    partition keeps using it (PostgreSQL refuses the new partition); that is logged, not raised."""
    if not is_postgresql():
        return
    database = connection.settings_dict["NAME"]
    wanted = {_month_start(m) for m in months}
    missing = [m for m in sorted(wanted) if (database, f"{EVENTS_TABLE}_p{m:%Y%m}") not in _known_partitions]
    if not missing:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [EVENTS_TABLE],
        )
        existing = {name for (name,) in cursor.fetchall()}
        for month in missing:
            name = f"{EVENTS_TABLE}_p{month:%Y%m}"
            key = (database, name)
            if name in existing:
                if key not in _pending_partitions:
                    _known_partitions.add(key)  # committed before: no rollback undoes it
                continue
            try:
                with transaction.atomic():
                    cursor.execute(
                        f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {EVENTS_TABLE} FOR VALUES "
                        f"FROM ('{month:%Y-%m-%d} 00:00:00+00') TO ('{_next_month(month):%Y-%m-%d} 00:00:00+00')"
                    )
                    cursor.execute(KEY_INDEX_SQL.format(name=name))
            except DatabaseError as exc:
                logger.warning("usage events: month %s stays in the default partition (%s)", month, exc)
            if connection.in_atomic_block:
                # A rollback of the outer transaction would undo the CREATE: remember it once
                # that transaction commits.
                _pending_partitions.add(key)
                transaction.on_commit(partial(_partition_committed, key))
            else:
                _known_partitions.add(key)


def _partition_committed(key: tuple[str, str]) -> None:
    _pending_partitions.discard(key)
    _known_partitions.add(key)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


PARTITION_NAME = re.compile(rf"^{EVENTS_TABLE}_p(\d{{4}})(\d{{2}})$")


def usage_partitions_maintain(*, today: date, ahead: int, keep_months: int) -> dict[str, list[str]]:
    """The scheduled upkeep of the month partitions (PostgreSQL only; a no-op elsewhere):
    create this month's and the next `ahead` months' before any event needs them (so no write
    waits on a CREATE), and detach the months that ended more than `keep_months` months ago
    (0: keep every month). A detached month stays a plain table of its own name, with its rows
    (archive, dump or drop it; `ALTER TABLE … ATTACH PARTITION` brings it back): the daily
    rollups keep those months' figures. Idempotent. Returns {"created": […], "detached": […]}."""
    done: dict[str, list[str]] = {"created": [], "detached": []}
    if not is_postgresql():
        return done
    this_month = _month_start(today)
    wanted = [_add_months(this_month, i) for i in range(ahead + 1)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [EVENTS_TABLE],
        )
        attached = {name for (name,) in cursor.fetchall()}
    done["created"] = [f"{EVENTS_TABLE}_p{m:%Y%m}" for m in wanted if f"{EVENTS_TABLE}_p{m:%Y%m}" not in attached]
    usage_partitions_ensure(months=wanted)
    if keep_months <= 0:
        return done
    oldest_kept = _add_months(this_month, -keep_months)
    for name in sorted(attached):
        match = PARTITION_NAME.match(name)
        if match is None or date(int(match.group(1)), int(match.group(2)), 1) >= oldest_kept:
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            # A short ACCESS EXCLUSIVE lock on the events table (CONCURRENTLY is refused while a
            # DEFAULT partition exists): run at night, it waits for writes in flight, at most 5 s.
            cursor.execute("SET LOCAL lock_timeout = '5s'")
            cursor.execute(f"ALTER TABLE {EVENTS_TABLE} DETACH PARTITION {name}")
        _known_partitions.discard((connection.settings_dict["NAME"], name))
        logger.info("usage events: month partition %s detached (older than %d months)", name, keep_months)
        done["detached"].append(name)
    return done
