"""Usage events in: the single write path for UsageEvent.

`events_store(rows)` is used by POST /api/v1/events/bulk, the Segment-compatible /v1/track and
/v1/batch, and anything else that records product usage. One call is one transaction:
either every row is valid and stored (repeats skipped), or `IngestError` lists each bad row and
nothing is written.

A row is a mapping with
    account       the account's external id (or `account_id`, our id, for internal callers)
    contact       optional, the contact's external id (or `contact_id`)
    event         the event name, 1-128 characters
    occurred_at   ISO 8601 (a datetime for internal callers); without an offset it is UTC
    properties    optional JSON object
    message_id    optional, up to 128 characters; a repeated id is stored once, across batches
    _row          optional, the row number to report in errors (default: position from 1)

Unknown accounts or contacts: the row is refused (docs/decisions.md "Unknown accounts in
event ingestion"); accounts and contacts are created through their own endpoints, `group`
and `identify`.

How it is stored (docs/decisions.md "Usage events table"): on PostgreSQL, when every reference
is an external id, the validated rows are COPYed into a temporary staging table and SQL resolves
the ids, reports unknown ones, computes the dedupe keys (`INSERT ... ON CONFLICT DO NOTHING
RETURNING`) and inserts the new rows into the month-partitioned events table in one statement;
with our ids (internal callers) the keys go in the same way and the new rows are COPYed; on
SQLite, bulk inserts. After
commit, the daily rollups of the touched (account, day) pairs are refreshed by a Celery task
(`usage_rollup_refresh_task`; inline in the embedded mode) and `events_ingested` is sent.
"""

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from hashlib import md5

import orjson
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from .models import Account, Contact, UsageEvent, UsageEventKey
from .signals import events_ingested

__all__ = [
    "MAX_ERRORS_REPORTED",
    "IngestError",
    "IngestResult",
    "events_store",
    "message_key",
    "usage_event_keys_backfill",
    "usage_partitions_ensure",
]

logger = logging.getLogger(__name__)

EVENTS_TABLE = UsageEvent._meta.db_table
KEYS_TABLE = UsageEventKey._meta.db_table
COPY_COLUMNS = "account_id, contact_id, event, occurred_at, properties, message_id"
MAX_ERRORS_REPORTED = 1000
FUTURE_TOLERANCE = timedelta(days=1)
LOOKUP_CHUNK = 900  # below SQLite's bound-parameter limit


@dataclass
class IngestResult:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    account_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"received": self.received, "stored": self.stored, "duplicates": self.duplicates}


class IngestError(Exception):
    """The batch was refused; `errors` lists each bad row: {"row", "field", "reason"}.
    `total` counts them all when the list was cut at MAX_ERRORS_REPORTED."""

    def __init__(self, errors: list[dict], total: int | None = None):
        self.errors = errors[:MAX_ERRORS_REPORTED]
        self.total = len(errors) if total is None else total
        super().__init__(f"{self.total} invalid row(s)")


def message_key(message_id: str) -> int:
    """The 64-bit dedupe key of a message id: the first 8 bytes of its MD5, signed to fit a
    PostgreSQL bigint. MD5 (not for security: a spread of ids) because PostgreSQL computes the
    same key in SQL (MESSAGE_KEY_SQL), so keys of COPYed data can be backfilled set-based."""
    return int.from_bytes(md5(message_id.encode(), usedforsecurity=False).digest()[:8], "big", signed=True)


# The same key in PostgreSQL, for a column named message_id.
MESSAGE_KEY_SQL = "('x' || substr(md5(message_id), 1, 16))::bit(64)::bigint"


def usage_event_keys_backfill() -> int:
    """Register the dedupe keys of events written without events_store (e.g. the demo seed's
    COPY), so that a later resend of their message ids is recognised. Returns keys added."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {KEYS_TABLE} (key) SELECT DISTINCT {MESSAGE_KEY_SQL} FROM {EVENTS_TABLE} "
                "WHERE message_id IS NOT NULL ON CONFLICT DO NOTHING"
            )
            return cursor.rowcount
    keys = {message_key(m) for m in UsageEvent.objects.exclude(message_id=None).values_list("message_id", flat=True)}
    return len(_new_keys_sqlite(sorted(keys)))


# Section: validation


def _parse_time(value, now: datetime) -> tuple[datetime | None, str]:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None, "is not an ISO 8601 date-time"
    else:
        return None, "is required (ISO 8601 date-time)"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment > now + FUTURE_TOLERANCE:
        return None, "is more than a day in the future"
    if moment.year < 1990:
        return None, "is before 1990"
    return moment, ""


def _text(value, *, max_length: int) -> str | None:
    if isinstance(value, str):
        value = value.strip()
        return value if 0 < len(value) <= max_length and "\x00" not in value else None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


@dataclass(slots=True)
class _Row:
    number: int
    account: object  # external id (str) or id (int) until resolved
    contact: object
    event: str
    occurred_at: datetime
    properties: str  # JSON text, ready for COPY
    message_id: str | None
    key: int | None


def _validate(rows: Iterable, errors: list[dict]) -> tuple[list[_Row], int]:
    now = timezone.now()
    good: list[_Row] = []
    position = 0
    for position, raw in enumerate(rows, start=1):
        if not isinstance(raw, Mapping):
            errors.append({"row": position, "field": None, "reason": "must be a JSON object"})
            continue
        number = raw.get("_row", position)
        bad = len(errors)
        if "account_id" in raw:
            account = raw["account_id"] if isinstance(raw["account_id"], int) else None
        else:
            account = _text(raw.get("account"), max_length=191)
        if account is None:
            errors.append({"row": number, "field": "account", "reason": "is required (the account's external id)"})
        if raw.get("contact_id") is not None:
            contact = raw["contact_id"] if isinstance(raw["contact_id"], int) else None
            if contact is None:
                errors.append({"row": number, "field": "contact_id", "reason": "must be an integer"})
        elif raw.get("contact") not in (None, ""):
            contact = _text(raw.get("contact"), max_length=191)
            if contact is None:
                errors.append(
                    {"row": number, "field": "contact", "reason": "must be an external id of 1-191 characters"}
                )
        else:
            contact = None
        event = _text(raw.get("event"), max_length=128)
        if event is None or isinstance(raw.get("event"), int):
            errors.append({"row": number, "field": "event", "reason": "is required, 1-128 characters"})
        occurred_at, reason = _parse_time(raw.get("occurred_at"), now)
        if occurred_at is None:
            errors.append({"row": number, "field": "occurred_at", "reason": reason})
        properties = raw.get("properties")
        if properties is None:
            properties = {}
        if not isinstance(properties, dict):
            errors.append({"row": number, "field": "properties", "reason": "must be a JSON object"})
        message_id = raw.get("message_id")
        if message_id in (None, ""):
            message_id = None
        else:
            message_id = _text(message_id, max_length=128)
            if message_id is None:
                errors.append({"row": number, "field": "message_id", "reason": "must be a string of 1-128 characters"})
        if len(errors) > bad:
            continue
        try:
            properties_json = orjson.dumps(properties).decode()
        except (TypeError, orjson.JSONEncodeError):
            errors.append({"row": number, "field": "properties", "reason": "must be plain JSON"})
            continue
        if "\x00" in properties_json or "\x00" in event:
            errors.append({"row": number, "field": "properties", "reason": "must not contain NUL characters"})
            continue
        good.append(
            _Row(
                number=number,
                account=account,
                contact=contact,
                event=event,
                occurred_at=occurred_at,
                properties=properties_json,
                message_id=message_id,
                key=None,  # computed by the path that needs it (SQL computes it when staged)
            )
        )
    return good, position


def _chunks(values: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _lookup(model, column: str, values: list) -> dict:
    """{value: id} for the rows of `model` whose `column` is one of `values`: one query on
    PostgreSQL (an array parameter), chunks of 900 on SQLite."""
    if not values:
        return {}
    if connection.vendor == "postgresql":
        # The list travels as one JSON (or array literal) string: adapting 10,000 Python
        # values one by one costs more than the query.
        if column == "id":
            where, param = "id = ANY(%s::bigint[])", "{" + ",".join(str(int(v)) for v in values) + "}"
        else:
            where = f"{column} = ANY(ARRAY(SELECT jsonb_array_elements_text(%s::jsonb)))"
            param = orjson.dumps(values).decode()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {column}, id FROM {model._meta.db_table} WHERE {where}", [param])
            return dict(cursor.fetchall())
    found = {}
    for chunk in _chunks(values):
        found.update(model.objects.filter(**{f"{column}__in": chunk}).values_list(column, "id"))
    return found


def _resolve(rows: list[_Row], errors: list[dict]) -> list[_Row]:
    """Turn external ids into ids (one query per kind of reference); refuse unknown ones."""
    account_ids: dict[object, int] = {}
    contact_ids: dict[object, int] = {}
    account_ids.update(_lookup(Account, "external_id", sorted({r.account for r in rows if isinstance(r.account, str)})))
    account_ids.update(_lookup(Account, "id", sorted({r.account for r in rows if isinstance(r.account, int)})))
    contact_ids.update(_lookup(Contact, "external_id", sorted({r.contact for r in rows if isinstance(r.contact, str)})))
    contact_ids.update(_lookup(Contact, "id", sorted({r.contact for r in rows if isinstance(r.contact, int)})))
    good = []
    for row in rows:
        account_id = account_ids.get(row.account)
        if account_id is None:
            errors.append({"row": row.number, "field": "account", "reason": f"unknown account {row.account!r}"})
            continue
        contact_id = None
        if row.contact is not None:
            contact_id = contact_ids.get(row.contact)
            if contact_id is None:
                errors.append({"row": row.number, "field": "contact", "reason": f"unknown contact {row.contact!r}"})
                continue
        row.account, row.contact = account_id, contact_id
        good.append(row)
    return good


# Section: partitions (PostgreSQL)

_known_partitions: set[tuple[str, str]] = set()  # (database name, partition table)


def _month_start(moment: datetime | date) -> date:
    return date(moment.year, moment.month, 1)


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def usage_partitions_ensure(*, months: Iterable[date]) -> None:
    """Create the month partitions of the events table that are missing (PostgreSQL only).

    Seeds and importers call it before they COPY. A month that already has rows in the DEFAULT
    partition keeps using it (PostgreSQL refuses the new partition); that is logged, not raised."""
    if connection.vendor != "postgresql":
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
            if name not in existing:
                try:
                    with transaction.atomic():
                        cursor.execute(
                            f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {EVENTS_TABLE} FOR VALUES "
                            f"FROM ('{month:%Y-%m-%d} 00:00:00+00') TO ('{_next_month(month):%Y-%m-%d} 00:00:00+00')"
                        )
                except DatabaseError as exc:
                    logger.warning("usage events: month %s stays in the default partition (%s)", month, exc)
            if not connection.in_atomic_block:
                # Inside an outer transaction a rollback could undo the CREATE: only remember it
                # once it is surely committed.
                _known_partitions.add((database, name))


# Section: storing


def _new_keys_postgres(cursor, keys: list[int]) -> set[int]:
    if not keys:
        return set()
    cursor.execute(
        f"INSERT INTO {KEYS_TABLE} (key) SELECT unnest(%s::bigint[]) ON CONFLICT DO NOTHING RETURNING key",
        ["{" + ",".join(map(str, keys)) + "}"],
    )
    return {key for (key,) in cursor.fetchall()}


def _new_keys_sqlite(keys: list[int]) -> set[int]:
    existing: set[int] = set()
    for chunk in _chunks(keys):
        existing.update(UsageEventKey.objects.filter(key__in=chunk).values_list("key", flat=True))
    new = [k for k in keys if k not in existing]
    UsageEventKey.objects.bulk_create([UsageEventKey(key=k) for k in new], batch_size=500)
    return set(new)


def _copy_postgres(cursor, rows: list[_Row]) -> None:
    with cursor.cursor.copy(f"COPY {EVENTS_TABLE} ({COPY_COLUMNS}) FROM STDIN") as copy:
        for r in rows:
            copy.write_row((r.account, r.contact, r.event, r.occurred_at, r.properties, r.message_id))


def _insert_sqlite(rows: list[_Row]) -> None:
    UsageEvent.objects.bulk_create(
        [
            UsageEvent(
                account_id=r.account,
                contact_id=r.contact,
                event=r.event,
                occurred_at=r.occurred_at,
                properties=json.loads(r.properties),
                message_id=r.message_id,
            )
            for r in rows
        ],
        batch_size=500,
    )


def _refresh_rollups_soon(pairs: set[tuple[int, date]]) -> None:
    """Queue the daily-rollup refresh of these pairs for after commit (inline in the embedded
    mode, a worker in production): the batch is answered once its events are durable, and the
    derived rollups follow within seconds (docs/decisions.md "Usage events table")."""
    from .tasks import usage_rollup_refresh_task

    payload = sorted([account_id, day.isoformat()] for account_id, day in pairs)
    transaction.on_commit(lambda: usage_rollup_refresh_task.delay(payload))


STAGE_TABLE = "accounts_ingest_stage"


def _store_postgres_staged(valid: list[_Row], errors: list[dict]) -> tuple[int, list[int]]:
    """PostgreSQL, every reference an external id: COPY the validated rows into a temporary
    staging table and let SQL resolve the ids, report the unknown ones, dedupe (within the batch
    and against the key table) and insert, in three statements. Runs inside the caller's
    transaction; raises IngestError (the caller's atomic block rolls back) on any bad row.
    Returns (rows stored, account ids touched)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE_TABLE}")
        cursor.execute(
            f"CREATE TEMP TABLE {STAGE_TABLE} (n integer, account text, contact text, event text, "
            "occurred_at timestamptz, properties text, message_id text) ON COMMIT DROP"
        )
        with cursor.cursor.copy(f"COPY {STAGE_TABLE} FROM STDIN") as copy:
            for n, r in enumerate(valid):
                copy.write_row((n, r.account, r.contact, r.event, r.occurred_at, r.properties, r.message_id))
        cursor.execute(f"ANALYZE {STAGE_TABLE}")  # row count and spread for the joins' plan
        cursor.execute(
            f"SELECT s.n, a.id IS NULL FROM {STAGE_TABLE} s "
            f"LEFT JOIN {Account._meta.db_table} a ON a.external_id = s.account "
            f"LEFT JOIN {Contact._meta.db_table} c ON c.external_id = s.contact "
            "WHERE a.id IS NULL OR (s.contact IS NOT NULL AND c.id IS NULL) ORDER BY s.n"
        )
        for n, account_unknown in cursor.fetchall():
            row = valid[n]
            if account_unknown:
                errors.append({"row": row.number, "field": "account", "reason": f"unknown account {row.account!r}"})
            else:
                errors.append({"row": row.number, "field": "contact", "reason": f"unknown contact {row.contact!r}"})
        if errors:
            errors.sort(key=lambda e: e["row"] if isinstance(e["row"], int) else 0)
            raise IngestError(errors)
        # Keys sorted: concurrent batches lock them in the same order. The first row of each
        # message id in the batch is the one kept.
        key_sql = MESSAGE_KEY_SQL.replace("message_id", "s.message_id")
        cursor.execute(
            f"WITH staged AS (SELECT s.*, CASE WHEN s.message_id IS NULL THEN NULL ELSE {key_sql} END AS k "
            f"FROM {STAGE_TABLE} s), "
            f"new_keys AS (INSERT INTO {KEYS_TABLE} (key) SELECT DISTINCT k FROM staged WHERE k IS NOT NULL "
            "ORDER BY k ON CONFLICT DO NOTHING RETURNING key), "
            "firsts AS (SELECT DISTINCT ON (k) n, k FROM staged WHERE k IS NOT NULL ORDER BY k, n), "
            f"ins AS (INSERT INTO {EVENTS_TABLE} ({COPY_COLUMNS}) "
            "SELECT a.id, c.id, s.event, s.occurred_at, s.properties::jsonb, s.message_id FROM staged s "
            f"JOIN {Account._meta.db_table} a ON a.external_id = s.account "
            f"LEFT JOIN {Contact._meta.db_table} c ON c.external_id = s.contact "
            "WHERE s.k IS NULL OR s.n IN (SELECT f.n FROM firsts f JOIN new_keys nk ON nk.key = f.k) "
            "RETURNING account_id, occurred_at) "
            "SELECT account_id, (occurred_at AT TIME ZONE 'UTC')::date, count(*) FROM ins GROUP BY 1, 2"
        )
        groups = cursor.fetchall()
    if groups:
        _refresh_rollups_soon({(account_id, day) for account_id, day, _ in groups})
    return sum(count for _, _, count in groups), sorted({account_id for account_id, _, _ in groups})


def events_store(rows: Iterable[Mapping]) -> IngestResult:
    """Validate and store usage events, all or nothing (see the module docstring).

    Raises IngestError (nothing written) when any row is invalid or names an unknown account
    or contact. Returns how many rows came in, were stored, and were repeats."""
    errors: list[dict] = []
    valid, received = _validate(rows, errors)
    result = IngestResult(received=received)
    if (
        valid
        and connection.vendor == "postgresql"
        and all(isinstance(r.account, str) and (r.contact is None or isinstance(r.contact, str)) for r in valid)
    ):
        usage_partitions_ensure(months={r.occurred_at.astimezone(UTC) for r in valid})
        with transaction.atomic():
            stored, account_ids = _store_postgres_staged(valid, errors)
            if account_ids:
                transaction.on_commit(lambda: events_ingested.send(sender=UsageEvent, account_ids=account_ids))
        result.stored, result.duplicates, result.account_ids = stored, len(valid) - stored, account_ids
        return result
    if valid:
        valid = _resolve(valid, errors)
        for row in valid:
            if row.message_id:
                row.key = message_key(row.message_id)
    if errors:
        errors.sort(key=lambda e: e["row"] if isinstance(e["row"], int) else 0)
        raise IngestError(errors)

    # Repeats inside the batch: keep the first row of each message id.
    seen: set[int] = set()
    unique: list[_Row] = []
    for row in valid:
        if row.key is not None:
            if row.key in seen:
                continue
            seen.add(row.key)
        unique.append(row)

    postgres = connection.vendor == "postgresql"
    if postgres:
        usage_partitions_ensure(months={r.occurred_at.astimezone(UTC) for r in unique})
    with transaction.atomic():
        keys = sorted(seen)  # sorted: concurrent batches lock keys in the same order
        if postgres:
            with connection.cursor() as cursor:
                new_keys = _new_keys_postgres(cursor, keys)
                to_write = [r for r in unique if r.key is None or r.key in new_keys]
                if to_write:
                    _copy_postgres(cursor, to_write)
        else:
            new_keys = _new_keys_sqlite(keys)
            to_write = [r for r in unique if r.key is None or r.key in new_keys]
            if to_write:
                _insert_sqlite(to_write)
        pairs = {(r.account, r.occurred_at.astimezone(UTC).date()) for r in to_write}
        if pairs:
            _refresh_rollups_soon(pairs)
        account_ids = sorted({a for a, _ in pairs})
        if account_ids:
            transaction.on_commit(lambda: events_ingested.send(sender=UsageEvent, account_ids=account_ids))
    result.stored = len(to_write)
    result.duplicates = len(valid) - len(to_write)
    result.account_ids = account_ids
    return result
