"""PostgreSQL's ways of storing a batch of usage events: streamed COPY of new events, one COPY
after an indexed look-up of stored keys, and INSERT ... ON CONFLICT DO NOTHING when a
concurrent batch stores the same keys (usage.ingest.store picks among them)."""

from datetime import date

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ..ingest.batch import COPY_COLUMNS, EVENTS_TABLE, FUTURE_TOLERANCE
from ..ingest.ids import _id_maps
from ..ingest.keys import MESSAGE_KEY_SQL, message_key
from ..ingest.notify import _rollups_add
from ..ingest.validate import _NotPlain, _plain_rows, _Row
from ..models import UsageEvent
from ..signals import events_ingested
from .partitions import _next_month, usage_partitions_ensure


def _stored_keys_postgres(cursor, keys: list[int], months: set[date]) -> set[int]:
    """Which of these message keys are stored: one indexed lookup, in the batch's UTC months
    (first days) only, since a key is only ever in its event's month."""
    if not keys:
        return set()
    return _stored_keys_between(cursor, keys, min(months), _next_month(max(months)))


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


def _copy_text(value: str) -> str:
    """A text field in COPY's text format (backslash, tab, newline and CR escaped)."""
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


_UNESCAPE = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


def _copy_unescape(value: str) -> str:
    """_copy_text undone (a field as written in COPY's text format, back to its value)."""
    out, chars = [], iter(value)
    for ch in chars:
        out.append(_UNESCAPE.get(next(chars, ""), "") if ch == "\\" else ch)
    return "".join(out)


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
    deltas: list[tuple] = []  # (account, day, event, contact) per row: the rollups' (usage.ingest.notify)
    delta = deltas.append
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
                    day = moment.date()
                    pairs.add((account_id, day))
                    delta((account_id, day, event, contact_id))
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
            _rollups_add(deltas)
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
            _rollups_add((row[0], row[3].date(), row[2], row[1]) for row in to_write)
            transaction.on_commit(lambda: events_ingested.send(sender=UsageEvent, account_ids=account_ids))
    return len(to_write), account_ids


def _conflict(exc: Exception) -> bool:
    """A unique violation on a message key, or a deadlock with a concurrent batch over the
    same keys (PostgreSQL aborted this one): nothing of it was written, the next path decides."""
    if isinstance(exc, IntegrityError):
        return True
    return getattr(exc.__cause__, "sqlstate", None) == "40P01"


def message_keys_backfill_postgresql() -> int:
    """usage.ingest.keys.usage_event_keys_backfill on PostgreSQL: set-based, the key computed in
    SQL (MESSAGE_KEY_SQL)."""
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


def events_copy_text(chunks) -> int:
    """COPY these chunks of events COPY text (lines in COPY_COLUMNS order, escaped) as one
    COPY, each written as it comes, so PostgreSQL stores chunk k while the caller formats
    chunk k+1. IntegrityError when a message key is stored already (the caller's transaction
    is then aborted). Returns the lines written."""
    written = 0
    with connection.cursor() as cursor:
        # wrapped: a unique violation on a message key is an IntegrityError
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {EVENTS_TABLE} ({COPY_COLUMNS}) FROM STDIN") as copy,
        ):
            for text, count in chunks:
                if count:
                    copy.write(text)
                    written += count
    return written


def stored_keys_between(keys: list[int], first: date, after: date) -> set[int]:
    """Which of these message keys are stored by events from `first` to before `after`: one
    indexed lookup (a key is only ever in its event's month)."""
    if not keys:
        return set()
    with connection.cursor() as cursor:
        return _stored_keys_between(cursor, keys, first, after)


def _stored_keys_between(cursor, keys: list[int], first: date, after: date) -> set[int]:
    cursor.execute(
        f"SELECT message_key FROM {EVENTS_TABLE} WHERE message_key = ANY(string_to_array(%s, ',')::bigint[]) "
        "AND occurred_at >= %s AND occurred_at < %s",
        [",".join(map(str, keys)), first, after],
    )
    return {key for (key,) in cursor.fetchall()}
