"""Usage events in: the single write path for UsageEvent.

`events_store(rows)` is used by POST /api/v1/events/bulk, the Segment-compatible /v1/track and
/v1/batch, and anything else that records product usage. (The bulk endpoint first offers its
body to `usage.ingest_decoded`, which stores the common case of new events decoded by
msgspec and hands anything else back, untouched, for this module to decide.) One call is one transaction:
either every row is valid and stored (repeats skipped), or `IngestError` lists each bad row and
nothing is written.

A row is a mapping with
    account       the account's external id (or `account_id`, our id, for internal callers)
    contact       optional, the contact's external id (or `contact_id`)
    event         the event name, 1-128 characters
    occurred_at   ISO 8601 (a datetime for internal callers); without an offset it is UTC
    properties    optional JSON object
    message_id    optional, up to 128 characters; stored once per UTC day of the event, across
                  batches (a resend repeats the event's time: `message_key`)
    _row          optional, the row number to report in errors (default: position from 1)

Unknown accounts or contacts: the row is refused (docs/decisions.md "Unknown accounts in
event ingestion"); accounts and contacts are created through their own endpoints, `group`
and `identify`.

How it is stored (docs/decisions.md "Usage events table", "Ingest: one tight check, then
COPY"): the common case (plain JSON types, nothing to strip, an ISO time) is checked in one tight
loop (`_validate_plain`, a strict subset of `_validate` with the same values); any other batch
goes through `_validate`, which accepts the rest or reports every bad row. On PostgreSQL the
external ids are resolved from this process's id cache (`_id_maps`; outside a transaction),
else with one hash join per kind; new events are COPYed as text, each with its message key
(`message_key`), which a unique index on each month partition keeps unique. A key stored
before fails that COPY: the batch rolls back and is stored the way a batch with repeats is: its
stored keys found with one indexed lookup, then one COPY of the rows to keep; a concurrent
batch that stored one of them first makes that COPY fail, and the batch is then stored through
`INSERT ... ON CONFLICT DO NOTHING RETURNING`, in key order, which waits. On SQLite, the
stored keys looked up, then bulk inserts. After commit, the daily rollups of the touched
(account, day) pairs are refreshed by a Celery task (`usage_rollup_refresh_task`; inline in
the embedded mode) and `events_ingested` is sent.
"""

import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from hashlib import md5

import orjson
from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from accounts.models import Account, Contact

from .models import UsageEvent
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
COPY_COLUMNS = "account_id, contact_id, event, occurred_at, properties, message_id, message_key"
MAX_ERRORS_REPORTED = 1000
FUTURE_TOLERANCE = timedelta(days=1)
LOOKUP_CHUNK = 900  # below SQLite's bound-parameter limit
LIST_SEPARATOR = "\x1f"  # the unit separator, between the values of a list sent as one string
PG_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\0" + bytes(8)  # binary COPY: signature, flags, header extension
PG_COPY_TRAILER = b"\xff\xff"


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


DAY_BIAS = 32768  # the UTC day number (since 1970-01-01) less this is the key's signed top 16 bits
_UNIX_ORDINAL = date(1970, 1, 1).toordinal()


try:  # CPython's own MD5 (HACL*): ~40% quicker than OpenSSL's for an id of a few bytes, same digest
    from _md5 import md5 as fast_md5
except ImportError:  # a build without it
    fast_md5 = partial(md5, usedforsecurity=False)


def day_top(day: date) -> int:
    """The top 16 bits of the message keys of a UTC day, in place: `message_key` adds the hash."""
    return (day.toordinal() - _UNIX_ORDINAL - DAY_BIAS) << 48


def message_key(message_id: str, day: date) -> int:
    """The 64-bit dedupe key of a message id on the UTC day of its event: that day (days since
    1970-01-01, less DAY_BIAS) in the top 16 bits, the first 6 bytes of the id's MD5 below.

    A message id counts once per UTC day of its event: a resend repeats the event's own time,
    so its key is the same. Leading with the day keeps the key index's inserts where time
    goes (a batch of recent events touches the index's last few pages, not 10,000 random ones
    across the whole history: docs/decisions.md "Usage events table"), and a key can only be in
    its event's month, so a unique index per month partition makes it unique over the table.
    MD5 (not for security: a spread of ids) because PostgreSQL computes the same key in SQL
    (MESSAGE_KEY_SQL), so keys of COPYed data can be backfilled set-based."""
    digest = fast_md5(message_id.encode()).digest()
    return day_top(day) + int.from_bytes(digest[:6], "big")


# The same key in PostgreSQL, for columns named message_id and occurred_at.
MESSAGE_KEY_SQL = (
    f"(((occurred_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01' - {DAY_BIAS})::bigint * 281474976710656 "
    "+ ('x' || substr(md5(message_id), 1, 12))::bit(48)::bigint)"
)


def usage_event_keys_backfill() -> int:
    """Give the events written without events_store (e.g. a seed's COPY that left
    `message_key` empty) their dedupe keys, so that a later resend of their message ids is
    recognised. The first row of a key gets it; a later row with the same key (a repeat) keeps
    none. Returns keys set."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {EVENTS_TABLE} e SET message_key = f.key FROM ("
                f"  SELECT DISTINCT ON (key) id, occurred_at, key FROM ("
                f"    SELECT id, occurred_at, {MESSAGE_KEY_SQL} AS key FROM {EVENTS_TABLE}"
                "     WHERE message_id IS NOT NULL AND message_key IS NULL"
                "  ) k"
                f"  WHERE NOT EXISTS (SELECT 1 FROM {EVENTS_TABLE} x WHERE x.message_key = k.key)"
                "  ORDER BY key, id"
                ") f WHERE e.id = f.id AND e.occurred_at = f.occurred_at"
            )
            return cursor.rowcount
    missing = UsageEvent.objects.filter(message_key=None).exclude(message_id=None).order_by("id")
    keyed: dict[int, UsageEvent] = {}
    for event in missing.only("id", "message_id", "occurred_at"):
        event.message_key = message_key(event.message_id, event.occurred_at.astimezone(UTC).date())
        keyed.setdefault(event.message_key, event)
    stored = _stored_keys_sqlite(sorted(keyed))
    changed = [event for key, event in keyed.items() if key not in stored]
    UsageEvent.objects.bulk_update(changed, ["message_key"], batch_size=500)
    return len(changed)


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


# A NUL character in JSON text, as orjson writes it (\u0000 after an even run of backslashes):
# PostgreSQL's jsonb cannot hold one.
_JSON_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000").search


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
        if _JSON_NUL(properties_json) or "\x00" in event:
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
        # The list travels as one string that SQL splits: adapting 10,000 Python values one by
        # one costs more than the query. A join on unnest(string_to_array(constant)) is
        # estimated at its true size, so the planner hashes a small table instead of probing
        # its index thousands of times.
        if column == "id":
            param, split = ",".join(str(int(v)) for v in values), "string_to_array(%s, ',')::bigint[]"
        else:
            param = LIST_SEPARATOR.join(values)
            split = "string_to_array(%s, E'\\x1f')"
            if param.count(LIST_SEPARATOR) != len(values) - 1:  # a value holds the separator
                param, split = orjson.dumps(values).decode(), "ARRAY(SELECT jsonb_array_elements_text(%s::jsonb))"
        with connection.cursor() as cursor:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT t.{column}, t.id FROM unnest({split}) AS x(v) JOIN {table} t ON t.{column} = x.v", [param]
            )
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


# Section: storing


def _stored_keys_postgres(cursor, keys: list[int], months: set[date]) -> set[int]:
    """Which of these message keys are stored: one indexed lookup, in the batch's UTC months
    (first days) only, since a key is only ever in its event's month."""
    if not keys:
        return set()
    cursor.execute(
        f"SELECT message_key FROM {EVENTS_TABLE} WHERE message_key = ANY(string_to_array(%s, ',')::bigint[]) "
        "AND occurred_at >= %s AND occurred_at < %s",
        [",".join(map(str, keys)), min(months), _next_month(max(months))],
    )
    return {key for (key,) in cursor.fetchall()}


def _stored_keys_sqlite(keys: list[int]) -> set[int]:
    stored: set[int] = set()
    for chunk in _chunks(keys):
        stored.update(UsageEvent.objects.filter(message_key__in=chunk).values_list("message_key", flat=True))
    return stored


def _insert_postgres(cursor, rows: list[_Row]) -> list[_Row]:
    """INSERT the rows, skipping any whose key another transaction stored first (which it
    waits for); returns the rows stored. In key order, so that concurrent batches meet each
    other's keys in the same order."""
    rows = sorted(rows, key=lambda r: (r.key is None, r.key or 0))
    cursor.execute(
        f"INSERT INTO {EVENTS_TABLE} ({COPY_COLUMNS}) "
        "SELECT a, c, e, o, p::jsonb, m, k FROM unnest(%s::bigint[], %s::bigint[], %s::text[], "
        "%s::timestamptz[], %s::text[], %s::text[], %s::bigint[]) WITH ORDINALITY AS x(a, c, e, o, p, m, k, n) "
        "ORDER BY n ON CONFLICT DO NOTHING RETURNING message_key",
        [
            [r.account for r in rows],
            [r.contact for r in rows],
            [r.event for r in rows],
            [r.occurred_at for r in rows],
            [r.properties for r in rows],
            [r.message_id for r in rows],
            [r.key for r in rows],
        ],
    )
    stored = {key for (key,) in cursor.fetchall()}
    return [r for r in rows if r.key is None or r.key in stored]


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
                message_key=r.key,
            )
            for r in rows
        ],
        batch_size=500,
    )


def _refresh_rollups_soon(pairs: set[tuple[int, date]]) -> None:
    """Queue the daily-rollup refresh of these (account id, UTC day) pairs for after commit."""
    by_day: dict[date, list[int]] = {}
    for account_id, day in pairs:
        by_day.setdefault(day, []).append(account_id)
    _refresh_rollups_by_day(by_day)


def _refresh_rollups_by_day(by_day: Mapping[date, Iterable[int]] | Mapping[str, Iterable[int]]) -> None:
    """Queue the daily-rollup refresh of these accounts on these UTC days (dates or ISO days)
    for after commit (inline in the embedded mode, a worker in production): the batch is
    answered once its events are durable, and the derived rollups follow within seconds
    (docs/decisions.md "Usage events table")."""
    from .tasks import usage_rollup_refresh_task

    if not by_day:
        return
    payload = {str(day): sorted(ids) for day, ids in sorted(by_day.items())}
    transaction.on_commit(lambda: usage_rollup_refresh_task.delay(payload))


# Section: the common case, fast


class _NotPlain(Exception):
    """A row the tight check does not take: the full check (_validate) decides and reports."""


def _properties_text(properties: dict) -> str:
    """A properties object as the JSON text COPY stores; _NotPlain if it is not plain JSON or
    holds a NUL (PostgreSQL's jsonb has none): the full check decides and reports."""
    try:
        text = orjson.dumps(properties)
    except TypeError:
        raise _NotPlain from None
    if b"\\u0000" in text:
        raise _NotPlain
    return text.decode()


def _plain_rows(rows: list):
    """The common case, checked in one tight loop: every row a JSON object whose fields
    _validate() would take unchanged (exact str/int types, nothing to strip, no NUL, an ISO
    time it parses, a properties object). Yields one tuple per row, (account, contact, event,
    occurred_at in UTC, properties as JSON text, message_id); raises _NotPlain at the first
    row that is not plainly valid: then _validate() decides, and reports what is wrong.
    Strictly a subset of what _validate() accepts, with the same values."""
    latest = timezone.now() + FUTURE_TOLERANCE
    parse = datetime.fromisoformat
    for raw in rows:
        if type(raw) is not dict:
            raise _NotPlain
        if "account_id" in raw:
            account = raw["account_id"]
            if type(account) is not int:
                raise _NotPlain
        else:
            account = raw.get("account")
            if type(account) is not str or not 0 < len(account) <= 191 or account.strip() != account:
                raise _NotPlain
            if "\x00" in account:
                raise _NotPlain
        contact = raw.get("contact_id")
        if contact is not None:
            if type(contact) is not int:
                raise _NotPlain
        else:
            contact = raw.get("contact")
            if contact == "":
                contact = None
            elif contact is not None:
                if type(contact) is not str or len(contact) > 191 or contact.strip() != contact or "\x00" in contact:
                    raise _NotPlain
        event = raw.get("event")
        if type(event) is not str or not 0 < len(event) <= 128 or event.strip() != event or "\x00" in event:
            raise _NotPlain
        moment = raw.get("occurred_at")
        if type(moment) is str:
            try:
                moment = parse(moment)
            except ValueError:
                raise _NotPlain from None
        elif not isinstance(moment, datetime):
            raise _NotPlain
        offset = moment.utcoffset()
        if offset is None:
            moment = moment.replace(tzinfo=UTC)
        if moment.year < 1990 or moment > latest:
            raise _NotPlain
        if offset:
            moment = moment.astimezone(UTC)
        properties = raw.get("properties")
        if properties is None:
            properties = "{}"
        elif type(properties) is dict:
            properties = _properties_text(properties)
        else:
            raise _NotPlain
        message_id = raw.get("message_id")
        if message_id == "":
            message_id = None
        elif message_id is not None:
            if type(message_id) is not str or len(message_id) > 128 or message_id.strip() != message_id:
                raise _NotPlain
            if "\x00" in message_id:
                raise _NotPlain
        yield account, contact, event, moment, properties, message_id


def _validate_plain(rows: list) -> tuple[list[tuple], set[date]] | None:
    """_plain_rows as a list, with the UTC months; None if any row is not plainly valid."""
    try:
        plain = list(_plain_rows(rows))
    except _NotPlain:
        return None
    return plain, {date(row[3].year, row[3].month, 1) for row in plain}


def _id_maps(accounts: set, contacts: set) -> tuple[dict, dict] | None:
    """{reference: id} for these account and contact references (external ids as text, or our
    ids), one query per kind for those not in the id cache; None if any is unknown (_resolve
    reports). The contact map also takes None (no contact)."""
    cache = _id_cache_current()
    if cache is None:
        account_ids = _lookup(Account, "external_id", sorted(a for a in accounts if type(a) is str))
        account_ids.update(_lookup(Account, "id", sorted(a for a in accounts if type(a) is int)))
        contact_ids = _lookup(Contact, "external_id", sorted(c for c in contacts if type(c) is str))
        contact_ids.update(_lookup(Contact, "id", sorted(c for c in contacts if type(c) is int)))
    else:
        account_ids = _cached_lookup(Account, accounts, cache.accounts)
        contact_ids = _cached_lookup(Contact, contacts, cache.contacts)
    if len(account_ids) < len(accounts) or len(contact_ids) < len(contacts):
        return None
    contact_ids[None] = None
    return account_ids, contact_ids


# Section: the id cache (PostgreSQL)

ID_CACHE_MAX = 250_000  # references kept per kind and database; a full cache starts again
_id_caches: dict[str, "_IdCache"] = {}  # database name: its cache


@dataclass(slots=True)
class _IdCache:
    token: str
    accounts: dict = field(default_factory=dict)  # reference (external id or id): id
    contacts: dict = field(default_factory=dict)


def _id_cache_current() -> "_IdCache | None":
    """This process's cache of ids for the current database, emptied when the generation token
    (migration accounts.0013: a new one whenever accounts or contacts are deleted, truncated or
    change external id) is not the one it was filled under; None on SQLite and inside a
    transaction, whose reads may still roll back. Read before the lookups it serves, so a
    change that commits in between only makes the cache newer than its token."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT token::text FROM accounts_idgeneration WHERE id = 1")
        row = cursor.fetchone()
    if row is None:
        return None  # the row (migration accounts.0013 inserts it) was deleted by hand: no cache
    database = connection.settings_dict["NAME"]
    cache = _id_caches.get(database)
    if cache is None or cache.token != row[0]:
        cache = _id_caches[database] = _IdCache(token=row[0])
    return cache


def _cached_lookup(model, refs: set, known: dict) -> dict:
    """{reference: id} for `refs`: from `known`, and by _lookup for the rest, which `known` keeps."""
    get = known.get  # get, not `in` then []: another thread may empty `known` in between
    found = {ref: pk for ref in refs if (pk := get(ref)) is not None}
    if len(found) < len(refs):
        missing = refs - found.keys()
        new = _lookup(model, "external_id", sorted(r for r in missing if type(r) is str))
        new.update(_lookup(model, "id", sorted(r for r in missing if type(r) is int)))
        if len(known) + len(new) > ID_CACHE_MAX:
            known.clear()
        known.update(new)
        found.update(new)
    return found


def _resolve_plain(plain: list[tuple]) -> list[tuple] | None:
    """Replace external ids (or checked ids) by ids; None if any is unknown (_resolve reports)."""
    maps = _id_maps({row[0] for row in plain}, {row[1] for row in plain} - {None})
    if maps is None:
        return None
    account_ids, contact_ids = maps
    return [(account_ids[a], contact_ids[c], e, o, p, m) for a, c, e, o, p, m in plain]


def _copy_text(value: str) -> str:
    """A text field in COPY's text format (backslash, tab, newline and CR escaped)."""
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def _copy_line(account_id, contact_id, event, moment, properties, message_id, key) -> str:
    return (
        f"{account_id}\t{'\\N' if contact_id is None else contact_id}\t{_copy_text(event)}\t"
        f"{moment.isoformat()}\t{_copy_text(properties)}\t"
        f"{'\\N' if message_id is None else _copy_text(message_id)}\t{'\\N' if key is None else key}\n"
    )


COPY_CHUNK = 2000  # rows per write: PostgreSQL stores chunk k while Python formats chunk k+1


def _copy_chunk(lines: list[str], rows: list[tuple], account_ids: dict, contact_ids: dict) -> str:
    """Lines written without escaping, joined, if no field held a tab, newline, CR or
    backslash (counted over the whole chunk at C speed); else the chunk's rows (as checked,
    with external ids, and their keys) formatted again with each field escaped (_copy_line)."""
    text = "".join(lines)
    nulls = sum(1 for row in rows if row[1] is None) + 2 * sum(1 for row in rows if row[5] is None)
    if (
        text.count("\t") == 6 * len(lines)
        and text.count("\n") == len(lines)
        and text.count("\\") == nulls
        and "\r" not in text
    ):
        return text
    return "".join([_copy_line(account_ids[a], contact_ids[c], e, m, p, mid, k) for a, c, e, m, p, mid, k in rows])


def _store_postgres_stream(rows: list, *, ids_checked: bool = False) -> tuple[int, list[int]] | None:
    """PostgreSQL, the usual batch: new events that name accounts and contacts by external id.

    The external ids are resolved first (one query per kind). Then each row is checked
    (_plain_rows), keyed, formatted and COPYed in chunks as it goes, so PostgreSQL stores
    chunk k while Python checks chunk k+1: the two cores work at once. Returns (rows stored,
    account ids touched), or None, with nothing written, when the batch is not of this kind (a
    row the tight check refuses, an unknown id, a month whose partition is not there): the
    caller's other paths decide and report. A message id stored before makes the COPY fail
    with a unique violation (IntegrityError): the transaction rolls back with its rows, and
    the caller takes the path that looks the keys up first."""
    try:
        # A row names its account and contact by external id, or (internal callers such as the
        # Segment endpoints) by our id: both are checked to exist, one query per kind.
        account_refs = {row["account_id"] if "account_id" in row else row["account"] for row in rows}
        contact_refs = {row["contact_id"] if "contact_id" in row else row.get("contact") for row in rows}
        contact_refs -= {None, ""}
        months = {date(int(row["occurred_at"][:4]), int(row["occurred_at"][5:7]), 1) for row in rows}
    except (TypeError, KeyError, ValueError, AttributeError):
        return None  # not JSON objects with these fields as text: the full check reports
    if any(type(ref) is not int and (type(ref) is not str or "\x00" in ref) for ref in account_refs | contact_refs):
        return None  # only ids and external ids as text go to the lookups; the full check reports the rest
    if ids_checked and all(type(ref) is int for ref in account_refs | contact_refs):
        # The caller read these ids in this transaction (usage.tracking): no second lookup.
        account_ids = {ref: ref for ref in account_refs}
        contact_ids = {ref: ref for ref in contact_refs}
        contact_ids[None] = None
    else:
        maps = _id_maps(account_refs, contact_refs)
        if maps is None:
            return None  # an unknown account or contact: _resolve reports it
        account_ids, contact_ids = maps
    # Only months a valid row can have (1990 to tomorrow): text that is refused later must not
    # create partitions. A row outside them fails the month check below and goes the other way.
    latest = timezone.now() + FUTURE_TOLERANCE
    months = {m for m in months if date(1990, 1, 1) <= m <= date(latest.year, latest.month, 1)}
    usage_partitions_ensure(months=months)
    month_numbers = {m.year * 12 + m.month for m in months}
    seen: set[int] = set()
    pairs: set[tuple[int, date]] = set()
    stored = 0
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # wrapped: a unique violation on a message key is an IntegrityError
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {EVENTS_TABLE} ({COPY_COLUMNS}) FROM STDIN") as copy,
            ):
                chunk: list[tuple] = []
                lines: list[str] = []
                append, keep = lines.append, chunk.append
                for account, contact, event, moment, properties, message_id in _plain_rows(rows):
                    key = None
                    if message_id is not None:
                        key = message_key(message_id, moment.date())
                        if key in seen:
                            continue  # a repeat inside the batch: the first row counts
                        seen.add(key)
                    if moment.year * 12 + moment.month not in month_numbers:
                        raise _NotPlain  # an offset moved it into a month not made ready above
                    account_id = account_ids[account]
                    contact_id = contact_ids[contact]
                    pairs.add((account_id, moment.date()))
                    # Unescaped here; _copy_chunk escapes the rare chunk that needs it.
                    append(
                        f"{account_id}\t{'\\N' if contact_id is None else contact_id}\t{event}\t"
                        f"{moment.isoformat()}\t{properties}\t"
                        f"{'\\N\t\\N' if message_id is None else f'{message_id}\t{key}'}\n"
                    )
                    keep((account, contact, event, moment, properties, message_id, key))
                    if len(lines) == COPY_CHUNK:
                        copy.write(_copy_chunk(lines, chunk, account_ids, contact_ids))
                        stored += COPY_CHUNK
                        lines.clear()
                        chunk.clear()
                if lines:
                    copy.write(_copy_chunk(lines, chunk, account_ids, contact_ids))
                    stored += len(lines)
            account_list = sorted({account_id for account_id, _ in pairs})
            _refresh_rollups_soon(pairs)
            if account_list:
                transaction.on_commit(lambda: events_ingested.send(sender=UsageEvent, account_ids=account_list))
    except (_NotPlain, KeyError):
        # Rolled back, nothing written. KeyError: a reference the lookups above did not
        # resolve (a row with both an id and an external id, say): the other paths decide.
        return None
    return stored, account_list


def _store_postgres_plain(resolved: list[tuple], months: set[date]) -> tuple[int, list[int]]:
    """PostgreSQL, a batch that repeats some message ids: the batch's stored keys found with
    one indexed lookup, then one COPY of the rows to keep, in key order. Returns (rows stored,
    account ids touched). A concurrent batch that stores one of the same new keys first makes
    the COPY fail (IntegrityError, raised once that batch commits): the caller retries through
    the ON CONFLICT path."""
    usage_partitions_ensure(months=months)
    keep = [True] * len(resolved)
    keys: list[int | None] = []
    first: dict[int, int] = {}  # key: position of its first row
    for i, row in enumerate(resolved):
        key = None
        if row[5] is not None:
            key = message_key(row[5], row[3].date())
            if key in first:
                keep[i] = False
            else:
                first[key] = i
        keys.append(key)
    with transaction.atomic(), connection.cursor() as cursor:
        for key in _stored_keys_postgres(cursor, list(first), months):
            keep[first[key]] = False
        to_write = [(*row, key) for row, key, kept in zip(resolved, keys, keep, strict=True) if kept]
        to_write.sort(key=lambda row: (row[6] is None, row[6] or 0))  # concurrent batches: one order
        if to_write:
            # wrapped: a unique violation on a message key is an IntegrityError
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {EVENTS_TABLE} ({COPY_COLUMNS}) FROM STDIN") as copy,
            ):
                copy.write("".join([_copy_line(*row) for row in to_write]))
        pairs = {(row[0], row[3].date()) for row in to_write}
        account_ids = sorted({account_id for account_id, _ in pairs})
        if pairs:
            _refresh_rollups_soon(pairs)
            transaction.on_commit(lambda: events_ingested.send(sender=UsageEvent, account_ids=account_ids))
    return len(to_write), account_ids


def _conflict(exc: Exception) -> bool:
    """A unique violation on a message key, or a deadlock with a concurrent batch over the
    same keys (PostgreSQL aborted this one): nothing of it was written, the next path decides."""
    if isinstance(exc, IntegrityError):
        return True
    return getattr(exc.__cause__, "sqlstate", None) == "40P01"


def events_store(rows: Iterable[Mapping], *, stream: bool = True, ids_checked: bool = False) -> IngestResult:
    """Validate and store usage events, all or nothing (see the module docstring).

    Raises IngestError (nothing written) when any row is invalid or names an unknown account
    or contact. Returns how many rows came in, were stored, and were repeats. `stream=False`
    skips the streamed path, for a caller that already tried these rows that way
    (usage.ingest_decoded). `ids_checked=True`: rows that name accounts and contacts by id
    (`account_id`, `contact_id`) name ones the caller read in the current transaction, so the
    streamed path does not look them up again (usage.tracking)."""
    rows = rows if isinstance(rows, list) else list(rows)
    if rows and connection.vendor == "postgresql":
        try:
            streamed = _store_postgres_stream(rows, ids_checked=ids_checked) if stream else None
        except (IntegrityError, OperationalError) as exc:
            if not _conflict(exc):
                raise
            streamed = None  # a message id stored before: the path below looks the keys up first
        if streamed is not None:
            stored, account_ids = streamed
            return IngestResult(
                received=len(rows), stored=stored, duplicates=len(rows) - stored, account_ids=account_ids
            )
        checked = _validate_plain(rows)
        resolved = _resolve_plain(checked[0]) if checked else None
        if resolved is not None:
            try:
                stored, account_ids = _store_postgres_plain(resolved, checked[1])
            except (IntegrityError, OperationalError) as exc:
                if not _conflict(exc):
                    raise
                # a concurrent batch stored one of the same new keys first: the path below waits
            else:
                return IngestResult(
                    received=len(rows), stored=stored, duplicates=len(rows) - stored, account_ids=account_ids
                )
    errors: list[dict] = []
    valid, received = _validate(rows, errors)
    result = IngestResult(received=received)
    if valid:
        valid = _resolve(valid, errors)
        for row in valid:
            if row.message_id:
                row.key = message_key(row.message_id, row.occurred_at.astimezone(UTC).date())
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
        if postgres:
            with connection.cursor() as cursor:
                to_write = _insert_postgres(cursor, unique)
        else:
            stored = _stored_keys_sqlite(sorted(seen))
            to_write = [r for r in unique if r.key is None or r.key not in stored]
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
