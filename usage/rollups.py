"""Daily per-account usage rollups (AccountDailyUsage), kept current at ingest.

Writers:
- `usage_rollup_apply_deltas()`: add what the batches stored since the last run add to their
  days (usage.models.RollupDelta, written by ingest in each batch's transaction) and delete
  those deltas, in one transaction: ingestion's way, whose cost grows with the new events, not
  with the day's (docs/decisions.md "Incremental usage rollups"). Equal to a recompute
  (tests/usage/test_rollups_incremental.py); the nightly rebuild stays the safety net.
- `usage_rollup_refresh(pairs=...)`: recompute the given (account_id, day) rows from the raw
  events (and drop those days' pending deltas, which the recompute counted); it is
  set-based (one statement for all pairs), idempotent (delete + upsert under the unique
  (account, day) constraint, so two concurrent refreshes of a pair end in the same row) and
  runs on SQLite and PostgreSQL.
- `usage_rollup_rebuild(start=None, end=None)`: recompute every row in [start, end] (whole
  history by default), in account-id chunks so no statement holds all events at once.

Reader:
- `usage_window_stats(as_of=..., account_ids=None, key_features=())`: per account, the usage
  figures over the 30 days ending `as_of` (inclusive) and the 30 before, for all accounts
  (or the given ones) in one query. Health measures and usage triggers use it.

Days are UTC. The SQL is written twice (PostgreSQL and SQLite) because the JSON functions
differ; both return the same rows.
"""

import json
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from django.db import connection, transaction

from accounts.models import Account
from core.db import is_postgresql as _is_postgres

from .models import AccountDailyContact, AccountDailyUsage, UsageEvent
from .sql.deltas import DELTAS, deltas_apply

__all__ = [
    "AccountRange",
    "UsageWindow",
    "account_filter",
    "usage_rollup_apply_deltas",
    "usage_rollup_rebuild",
    "usage_rollup_refresh",
    "usage_rollup_refresh_if_free",
    "usage_window_stats",
]


class AccountRange(list):
    """Account ids that are exactly every account with lo <= id <= hi (a chunk of the whole
    book): readers may filter on the range, which an index serves, instead of listing
    thousands of ids. Otherwise a plain list."""

    def __init__(self, ids, lo: int, hi: int):
        super().__init__(ids)
        self.lo, self.hi = lo, hi


def account_filter(queryset, account_ids, field: str = "account_id"):
    """Narrow `queryset` to these accounts (None = all), by range for an AccountRange."""
    if account_ids is None:
        return queryset
    if isinstance(account_ids, AccountRange):
        return queryset.filter(**{f"{field}__gte": account_ids.lo, f"{field}__lte": account_ids.hi})
    return queryset.filter(**{f"{field}__in": list(account_ids)})


WINDOW_DAYS = 30
REBUILD_CHUNK = 5000  # accounts per rebuild statement
REFRESH_LOCK = 0x75736167  # PostgreSQL advisory lock key of every rollup writer ("usag")

ROLLUP = AccountDailyUsage._meta.db_table
CONTACTS = AccountDailyContact._meta.db_table
EVENTS = UsageEvent._meta.db_table


# Section: writers

# The aggregate shared by refresh and rebuild, over a CTE "ev(account_id, day, contact_id,
# event)" of the events to roll up. Ends in an upsert; on PostgreSQL a data-modifying CTE
# writes the (account, day, contact) rows in the same pass over the events.
_PG_AGG = f"""
cx AS (
    INSERT INTO {CONTACTS} (account_id, day, contact_id)
    SELECT DISTINCT account_id, day, contact_id FROM ev WHERE contact_id IS NOT NULL
    ON CONFLICT DO NOTHING
),
f AS (SELECT account_id, day, event, count(*) AS n FROM ev GROUP BY account_id, day, event),
agg AS (
    SELECT account_id, day, sum(n)::int AS events, jsonb_object_agg(event, n) AS features
    FROM f GROUP BY account_id, day
),
ct AS (
    SELECT account_id, day, count(DISTINCT contact_id) AS n,
           coalesce(jsonb_agg(DISTINCT contact_id) FILTER (WHERE contact_id IS NOT NULL), '[]'::jsonb) AS ids
    FROM ev GROUP BY account_id, day
)
INSERT INTO {ROLLUP} (account_id, day, events, active_contacts, contact_ids, features)
SELECT agg.account_id, agg.day, agg.events, ct.n, ct.ids, agg.features
FROM agg JOIN ct ON ct.account_id = agg.account_id AND ct.day = agg.day
ON CONFLICT (account_id, day) DO UPDATE SET
    events = EXCLUDED.events, active_contacts = EXCLUDED.active_contacts,
    contact_ids = EXCLUDED.contact_ids, features = EXCLUDED.features
"""

_SQLITE_AGG = f"""
f AS (SELECT account_id, day, event, count(*) AS n FROM ev GROUP BY account_id, day, event),
agg AS (
    SELECT account_id, day, sum(n) AS events, json_group_object(event, n) AS features
    FROM f GROUP BY account_id, day
),
ct AS (
    SELECT account_id, day, count(DISTINCT contact_id) AS n,
           json_group_array(DISTINCT contact_id) FILTER (WHERE contact_id IS NOT NULL) AS ids
    FROM ev GROUP BY account_id, day
)
INSERT INTO {ROLLUP} (account_id, day, events, active_contacts, contact_ids, features)
SELECT agg.account_id, agg.day, agg.events, ct.n, coalesce(ct.ids, '[]'), agg.features
FROM agg JOIN ct ON ct.account_id = agg.account_id AND ct.day = agg.day
WHERE true
ON CONFLICT (account_id, day) DO UPDATE SET
    events = excluded.events, active_contacts = excluded.active_contacts,
    contact_ids = excluded.contact_ids, features = excluded.features
"""

# SQLite: the (account, day, contact) rows, a second statement over the same "ev" CTE.
_SQLITE_CONTACTS = f"""
INSERT OR IGNORE INTO {CONTACTS} (account_id, day, contact_id)
SELECT DISTINCT account_id, day, contact_id FROM ev WHERE contact_id IS NOT NULL
"""


def _pairs_json(pairs: Iterable[tuple[int, date]]) -> str:
    unique = {(int(account_id), day.isoformat()) for account_id, day in pairs}
    return json.dumps(sorted(unique))


def usage_rollup_refresh(*, pairs: Iterable[tuple[int, date]]) -> int:
    """Recompute the rollup rows of these (account_id, day) pairs from the raw events.
    A pair whose day has no events loses its row. Returns the number of distinct pairs."""
    return _refresh(pairs, wait=True) or 0


def usage_rollup_refresh_if_free(*, pairs: Iterable[tuple[int, date]]) -> int | None:
    """usage_rollup_refresh unless another refresh is running: then None, nothing done."""
    return _refresh(pairs, wait=False)


def usage_rollup_apply_deltas(*, wait: bool = False) -> int | None:
    """Add the pending deltas of ingested batches to the rollups and delete them, all in one
    transaction: a failed run leaves them for the next, a finished one leaves nothing to count
    twice. None, nothing done, when another rollup writer is running (unless `wait`). Returns
    the number of (account, day) rows touched."""
    with transaction.atomic(), connection.cursor() as cursor:
        if not _lock(cursor, wait=wait):
            return None
        return deltas_apply(cursor)


def _lock(cursor, *, wait: bool) -> bool:
    """PostgreSQL: the rollup writers' lock, for this transaction (or False if busy and not
    `wait`). SQLite has one writer at a time anyway."""
    if not _is_postgres():
        return True
    if wait:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])
        return True
    cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [REFRESH_LOCK])
    return bool(cursor.fetchone()[0])


def _refresh(pairs: Iterable[tuple[int, date]], *, wait: bool) -> int | None:
    payload = _pairs_json(pairs)
    count = len(json.loads(payload))
    if not count:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        if _is_postgres():
            # One refresh at a time: two workers refreshing overlapping pairs deleted each
            # other's rows in different orders and deadlocked (make soak, 500 events/s on two
            # workers), each retry redoing the whole batch. Queued behind the lock instead, or,
            # with wait=False, left for later so the worker is free for other tasks.
            if not _lock(cursor, wait=wait):
                return None
            pairs_cte = """
                p AS (
                    SELECT (x->>0)::int AS account_id, (x->>1)::date AS day
                    FROM jsonb_array_elements(%s::jsonb) AS x
                )"""
            for table in (ROLLUP, CONTACTS):
                cursor.execute(
                    f"WITH {pairs_cte} DELETE FROM {table} r USING p "
                    "WHERE r.account_id = p.account_id AND r.day = p.day",
                    [payload],
                )
            # Literal bounds let PostgreSQL prune the month partitions and skip the rest of the
            # table: the pairs' days are unknown to the planner (they come from JSON).
            days = [date.fromisoformat(d) for _, d in json.loads(payload)]
            lo = datetime.combine(min(days), time.min, tzinfo=UTC)
            hi = datetime.combine(max(days) + timedelta(days=1), time.min, tzinfo=UTC)
            # The pairs' pending deltas go in the same statement (one snapshot): the events it
            # counts are exactly those whose deltas it deletes.
            cursor.execute(
                f"""WITH {pairs_cte},
                gone AS (DELETE FROM {DELTAS} x USING p WHERE x.account_id = p.account_id AND x.day = p.day),
                ev AS (
                    SELECT e.account_id, p.day, e.contact_id, e.event
                    FROM p JOIN {EVENTS} e ON e.account_id = p.account_id
                     AND e.occurred_at >= (p.day::timestamp AT TIME ZONE 'UTC')
                     AND e.occurred_at < ((p.day + 1)::timestamp AT TIME ZONE 'UTC')
                    WHERE e.occurred_at >= %s AND e.occurred_at < %s
                ),
                {_PG_AGG}""",
                [payload, lo, hi],
            )
        else:
            pairs_cte = """
                p AS (
                    SELECT DISTINCT json_extract(value, '$[0]') AS account_id, json_extract(value, '$[1]') AS day
                    FROM json_each(%s)
                )"""
            for table in (ROLLUP, CONTACTS, DELTAS):
                cursor.execute(
                    f"""WITH {pairs_cte} DELETE FROM {table}
                    WHERE EXISTS (SELECT 1 FROM p WHERE p.account_id = {table}.account_id AND p.day = {table}.day)""",
                    [payload],
                )
            ev_cte = f"""WITH {pairs_cte},
                ev AS (
                    SELECT e.account_id, p.day, e.contact_id, e.event
                    FROM p JOIN {EVENTS} e ON e.account_id = p.account_id
                     AND e.occurred_at >= p.day AND e.occurred_at < date(p.day, '+1 day')
                )"""
            cursor.execute(f"{ev_cte}, {_SQLITE_AGG}", [payload])
            cursor.execute(f"{ev_cte} {_SQLITE_CONTACTS}", [payload])
    return count


def usage_rollup_rebuild(*, start: date | None = None, end: date | None = None) -> int:
    """Recompute every rollup row with start <= day <= end (open ends = all history), in
    chunks of accounts. Returns the number of rows written."""
    ids = list(Account.objects.order_by("id").values_list("id", flat=True))
    written = 0
    for i in range(0, len(ids), REBUILD_CHUNK):
        lo, hi = ids[i], ids[min(i + REBUILD_CHUNK, len(ids)) - 1]
        written += _rebuild_chunk(lo, hi, start, end)
    return written


def _rebuild_chunk(lo: int, hi: int, start: date | None, end: date | None) -> int:
    params: list = [lo, hi]
    day_filter = ""
    if start is not None:
        day_filter += " AND day >= %s"
        params.append(start)
    if end is not None:
        day_filter += " AND day <= %s"
        params.append(end)
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor, wait=True)  # no delta run in between: it would add what this recounts
        tables = (ROLLUP, CONTACTS) if _is_postgres() else (ROLLUP, CONTACTS, DELTAS)
        for table in tables:
            cursor.execute(f"DELETE FROM {table} WHERE account_id BETWEEN %s AND %s{day_filter}", params)
        ev_params: list = [lo, hi]
        time_filter = ""
        if _is_postgres():
            if start is not None:
                time_filter += " AND occurred_at >= (%s::date::timestamp AT TIME ZONE 'UTC')"
                ev_params.append(start)
            if end is not None:
                time_filter += " AND occurred_at < ((%s::date + 1)::timestamp AT TIME ZONE 'UTC')"
                ev_params.append(end)
            # The range's pending deltas go in the same statement (one snapshot with the events).
            cursor.execute(
                f"""WITH gone AS (DELETE FROM {DELTAS} WHERE account_id BETWEEN %s AND %s{day_filter}),
                ev AS (
                    SELECT account_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, contact_id, event
                    FROM {EVENTS} WHERE account_id BETWEEN %s AND %s{time_filter}
                ),
                {_PG_AGG}""",
                params + ev_params,
            )
        else:
            if start is not None:
                time_filter += " AND occurred_at >= %s"
                ev_params.append(start.isoformat())
            if end is not None:
                time_filter += " AND occurred_at < %s"
                ev_params.append((end + timedelta(days=1)).isoformat())
            ev_cte = f"""WITH ev AS (
                    SELECT account_id, date(occurred_at) AS day, contact_id, event
                    FROM {EVENTS} WHERE account_id BETWEEN %s AND %s{time_filter}
                )"""
            cursor.execute(f"{ev_cte}, {_SQLITE_AGG}", ev_params)
            written = cursor.rowcount
            cursor.execute(f"{ev_cte} {_SQLITE_CONTACTS}", ev_params)
            return written if written and written > 0 else 0
        return cursor.rowcount if cursor.rowcount and cursor.rowcount > 0 else 0


# Section: reader


class UsageWindow(NamedTuple):
    """One account's usage over the 30 days ending `as_of` and the 30 days before (a named
    tuple: a chunk builds 5,000 of them, several times cheaper than a frozen dataclass)."""

    active_days: int  # days with at least one event, last 30
    events: int  # events, last 30
    events_prev: int  # events, the 30 days before
    active_contacts: int  # distinct contacts with an event, last 30
    key_features_used: int  # distinct key features used, last 30


def _feature_path(name: str) -> str:
    return '$."' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def usage_window_stats(
    *, as_of: date, account_ids: Sequence[int] | None = None, key_features: Sequence[str] = ()
) -> dict[int, UsageWindow]:
    """Usage figures for every account with a rollup row in the 60 days ending `as_of`
    (accounts without any are left out): one query over the rollups (two on PostgreSQL)."""
    key_features = list(dict.fromkeys(key_features))
    recent_start = as_of - timedelta(days=WINDOW_DAYS - 1)
    prev_start = as_of - timedelta(days=2 * WINDOW_DAYS - 1)
    if account_ids is not None and not account_ids:
        return {}
    if _is_postgres():
        ids_filter = " AND account_id = ANY(%(ids)s)" if account_ids is not None else ""
        if isinstance(account_ids, AccountRange):
            ids_filter = " AND account_id BETWEEN %(lo)s AND %(hi)s"
        features_sql = (
            " + ".join(
                f"coalesce(bool_or(features ? %(kf{i})s) FILTER (WHERE day >= %(recent)s), false)::int"
                for i in range(len(key_features))
            )
            or "0"
        )
        # Two statements: one pass over the rollups for the sums, and distinct contacts from
        # the (account, day, contact) rows (an index-only scan of their primary key).
        sql = f"""
            SELECT account_id,
                   count(*) FILTER (WHERE day >= %(recent)s AND events > 0) AS active_days,
                   coalesce(sum(events) FILTER (WHERE day >= %(recent)s), 0) AS events,
                   coalesce(sum(events) FILTER (WHERE day < %(recent)s), 0) AS events_prev,
                   0 AS contacts,
                   {features_sql} AS key_features
            FROM {ROLLUP}
            WHERE day >= %(prev)s AND day <= %(as_of)s{ids_filter}
            GROUP BY account_id
        """
        contacts_sql = f"""
            SELECT account_id, count(DISTINCT contact_id) FROM {CONTACTS}
            WHERE day >= %(recent)s AND day <= %(as_of)s{ids_filter}
            GROUP BY account_id
        """
        params: dict = {"prev": prev_start, "recent": recent_start, "as_of": as_of}
        if isinstance(account_ids, AccountRange):
            params.update(lo=account_ids.lo, hi=account_ids.hi)
        elif account_ids is not None:
            params["ids"] = list(account_ids)
        params.update({f"kf{i}": name for i, name in enumerate(key_features)})
    else:
        ids_filter = " AND account_id IN (SELECT value FROM json_each(%(ids)s))" if account_ids is not None else ""
        features_sql = (
            " + ".join(
                f"coalesce(max(CASE WHEN day >= %(recent)s"
                f" AND json_type(features, %(kf{i})s) IS NOT NULL THEN 1 ELSE 0 END), 0)"
                for i in range(len(key_features))
            )
            or "0"
        )
        contacts_sql = None
        sql = f"""
        WITH r AS (
            SELECT account_id, day, events, features FROM {ROLLUP}
            WHERE day >= %(prev)s AND day <= %(as_of)s{ids_filter}
        ),
        base AS (
            SELECT account_id,
                   sum(CASE WHEN day >= %(recent)s AND events > 0 THEN 1 ELSE 0 END) AS active_days,
                   coalesce(sum(CASE WHEN day >= %(recent)s THEN events END), 0) AS events,
                   coalesce(sum(CASE WHEN day < %(recent)s THEN events END), 0) AS events_prev,
                   {features_sql} AS key_features
            FROM r GROUP BY account_id
        ),
        ct AS (
            SELECT account_id, count(DISTINCT contact_id) AS n FROM {CONTACTS}
            WHERE day >= %(recent)s AND day <= %(as_of)s{ids_filter}
            GROUP BY account_id
        )
        SELECT base.account_id, base.active_days, base.events, base.events_prev, coalesce(ct.n, 0), base.key_features
        FROM base LEFT JOIN ct ON ct.account_id = base.account_id
        """
        params = {
            "prev": prev_start.isoformat(),
            "recent": recent_start.isoformat(),
            "as_of": as_of.isoformat(),
            "ids": json.dumps([int(i) for i in account_ids or []]),
        }
        params.update({f"kf{i}": _feature_path(name) for i, name in enumerate(key_features)})
    # The planner guesses high for big chunks, which makes it JIT-compile a query that runs
    # in well under a second: compiling costs more than it saves (measured in bench_health).
    # A few accounts (the on-demand refresh) never reach the JIT threshold: no transaction
    # and SET round trips for them.
    jit_off = _is_postgres() and (account_ids is None or len(account_ids) > 100)
    with transaction.atomic() if jit_off else nullcontext(), connection.cursor() as cursor:
        if jit_off:
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        contacts: dict[int, int] = {}
        if contacts_sql is not None:
            cursor.execute(contacts_sql, params)
            contacts = dict(cursor.fetchall())
        return {
            row[0]: UsageWindow(int(row[1]), int(row[2]), int(row[3]), int(contacts.get(row[0], row[4])), int(row[5]))
            for row in rows
        }
