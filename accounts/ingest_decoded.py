"""Usage events in, the common bulk body: decoded and type-checked in C, streamed into COPY.

POST /api/v1/events/bulk hands its body here first (`events_decode`, then
`events_store_decoded`). A body whose rows all have the plain shape (the documented fields as
JSON strings and a properties object; no `account_id` / `contact_id`) is decoded by msgspec
straight into `PlainEvent` structs, the field types and lengths checked while it parses; the
rest of `accounts.ingest._plain_rows`' check (nothing to strip, no NUL, an ISO time from 1990
to tomorrow) is made per row in Python, and each row is formatted into the events COPY as it
goes. Anything else returns None with nothing written, and the caller parses the body as
before (orjson, `accounts.ingest.events_store`), which decides and reports: so this path only
ever accepts batches that path would accept, with the same values (docs/decisions.md "Ingest:
the bulk body decoded by msgspec").

PostgreSQL only: on SQLite `events_decode` returns None.
"""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from functools import partial
from hashlib import md5
from operator import attrgetter, itemgetter
from typing import Annotated, Any

import msgspec
import numpy as np
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .ingest import (
    _UNIX_ORDINAL,
    COPY_COLUMNS,
    DAY_BIAS,
    EVENTS_TABLE,
    FUTURE_TOLERANCE,
    KEYS_TABLE,
    IngestResult,
    _copy_text,
    _id_maps,
    _NotPlain,
    _properties_text,
    _refresh_rollups_soon,
    usage_partitions_ensure,
)
from .models import UsageEvent
from .signals import events_ingested

__all__ = ["PlainEvent", "events_decode", "events_store_decoded"]

COPY_CHUNK = 2000  # rows per write: PostgreSQL stores chunk k while Python checks chunk k+1


class PlainEvent(msgspec.Struct, gc=False):
    """One row of the plain shape, as msgspec decodes it: exact JSON types, lengths checked.
    `account_id` / `contact_id` (internal callers' ids) are taken only to see that they are
    absent: a row that has either goes the general way."""

    account: Annotated[str, msgspec.Meta(min_length=1, max_length=191)]
    event: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    occurred_at: str
    contact: Annotated[str, msgspec.Meta(max_length=191)] | None = None
    properties: dict | None = None
    message_id: Annotated[str, msgspec.Meta(max_length=128)] | None = None
    account_id: Any = msgspec.UNSET
    contact_id: Any = msgspec.UNSET


_decode_array = msgspec.json.Decoder(list[PlainEvent]).decode
_decode_one = msgspec.json.Decoder(PlainEvent).decode


def events_decode(body: bytes) -> list[PlainEvent] | None:
    """The rows of a JSON array or NDJSON body (one object per non-blank line) when every row
    has the plain shape; None otherwise (bad JSON, another shape, not PostgreSQL)."""
    if connection.vendor != "postgresql":
        return None
    try:
        if body.lstrip()[:1] == b"[":
            events = _decode_array(body)
        else:
            events = [_decode_one(line) for line in body.splitlines() if line.strip()]
    except (msgspec.DecodeError, UnicodeDecodeError):  # ValidationError is a DecodeError
        return None
    unset = msgspec.UNSET
    for e in events:
        if e.account_id is not unset or e.contact_id is not unset:
            return None
    return events


def _plain_ref(value: str) -> bool:
    return value.strip() == value and "\x00" not in value


def events_store_decoded(events: list[PlainEvent]) -> IngestResult | None:
    """Store decoded plain rows of new events, all or nothing; None, with nothing written, when
    the batch is not of that kind (a row the check refuses, an unknown account or contact, a
    message id stored before): the caller then takes the general path with the same body.

    External ids are resolved first (one query per kind) and the message keys computed (MD5 in
    C, the 64-bit keys and the batch's repeats in NumPy). The keys go first, by one binary COPY
    into the key table: a key stored before fails it with a unique violation, before any row
    is sent. Then each row is checked, formatted and written to the events COPY in chunks, so
    PostgreSQL stores chunk k while Python checks chunk k+1 (and chunk 0 is checked while
    PostgreSQL stores the keys)."""
    if not events:
        return None
    # Whole-batch sets through map() and attrgetter: loops in C.
    accounts = set(map(attrgetter("account"), events))
    contacts = set(map(attrgetter("contact"), events))
    contacts.discard(None)
    contacts.discard("")
    if not all(map(_plain_ref, accounts)) or not all(map(_plain_ref, contacts)):
        return None
    # The message keys (MD5 in C under the GIL) are computed by a helper thread while this
    # one waits for PostgreSQL's id lookups (a wait that releases the GIL).
    keys_soon = _hasher.submit(_message_keys, events)
    maps = _id_maps(accounts, contacts)
    try:
        keys, repeats, key_days = keys_soon.result()
    except ValueError:
        return None  # a time that is not ISO: the general check reports
    if maps is None:
        return None
    # Ids as COPY text, looked up once per row.
    account_ids = {ref: str(pk) for ref, pk in maps[0].items()}
    contact_ids = {ref: NULL if pk is None else str(pk) for ref, pk in maps[1].items()}
    contact_ids[""] = NULL
    # Partitions only for months a valid row can have (1990 to tomorrow): refused text must
    # not create any. A row whose offset moves it into another month fails the check below.
    latest = timezone.now() + FUTURE_TOLERANCE
    last_month = f"{latest:%Y-%m}"
    months = set()
    for month in set(map(itemgetter(slice(0, 7)), map(attrgetter("occurred_at"), events))):
        if "1990-01" <= month <= last_month and len(month) == 7 and month[4] == "-" and month[5:].isdigit():
            months.add(month)
    try:
        usage_partitions_ensure(months={date(int(m[:4]), int(m[5:7]), 1) for m in months})
    except ValueError:
        return None  # not a month ("2026-13"): the general check reports
    pairs: set[tuple[str, str]] = set()
    check = partial(
        _chunk, account_ids=account_ids, contact_ids=contact_ids, months=months, latest=latest, key_days=key_days
    )
    stored = 0
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            parts = range(0, len(events), COPY_CHUNK)
            text = None
            if len(keys):
                with (
                    connection.wrap_database_errors,
                    cursor.cursor.copy(f"COPY {KEYS_TABLE} (key) FROM STDIN (FORMAT binary)") as copy,
                ):
                    copy.write(_binary_keys(keys))
                    text, count = check(events[:COPY_CHUNK], 0, repeats, pairs)  # while PostgreSQL stores the keys
            with cursor.cursor.copy(f"COPY {EVENTS_TABLE} ({COPY_COLUMNS}) FROM STDIN") as copy:
                for start in parts:
                    if text is None:
                        text, count = check(events[start : start + COPY_CHUNK], start, repeats, pairs)
                    if count:
                        copy.write(text)
                        stored += count
                    text = None
            account_list = sorted({int(account_id) for account_id, _ in pairs})
            _refresh_rollups_soon({(int(account_id), day) for account_id, day in pairs})
            if account_list:
                transaction.on_commit(lambda: events_ingested.send(sender=UsageEvent, account_ids=account_list))
    except (_NotPlain, IntegrityError):
        return None  # rolled back, nothing written
    return IngestResult(received=len(events), stored=stored, duplicates=len(events) - stored, account_ids=account_list)


NULL = "\\N"  # COPY's null
_hasher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-keys")
_KEY_ROW = np.dtype([("fields", ">i2"), ("length", ">i4"), ("key", ">i8")])  # one binary COPY tuple


def _message_keys(events: list[PlainEvent]) -> tuple[np.ndarray, set[int], list[str | None]]:
    """The batch's distinct message keys, sorted (accounts.ingest.message_key: the UTC day of
    the event and the id's MD5), the positions of the rows that repeat an earlier row's key
    (the first row counts), and each row's key day as YYYY-MM-DD (None without a message id),
    which `_chunk` holds to the day it stores. ValueError if a time is not ISO."""
    days: list[str | None] = [None] * len(events)
    with_id = []
    for i, e in enumerate(events):
        if e.message_id:
            with_id.append(i)
            days[i] = _utc_day(e.occurred_at)
    if not with_id:
        return np.empty(0, dtype=np.int64), set(), days
    digests = b"".join([md5(events[i].message_id.encode(), usedforsecurity=False).digest() for i in with_id])
    hashes = (np.frombuffer(digests, dtype=">u8")[::2] >> np.uint64(16)).astype(np.int64)  # first 6 bytes
    numbers = {day: date.fromisoformat(day).toordinal() - _UNIX_ORDINAL - DAY_BIAS for day in set(days) - {None}}
    tops = np.array([numbers[days[i]] for i in with_id], dtype=np.int64)
    if tops.min() < -DAY_BIAS or tops.max() >= DAY_BIAS:
        raise ValueError("a day outside the key's range")  # refused by the check anyway
    all_keys = tops * (1 << 48) + hashes
    keys, first = np.unique(all_keys, return_index=True)
    if len(keys) == len(all_keys):
        return keys, set(), days
    return keys, set(with_id) - {with_id[i] for i in first.tolist()}, days


def _utc_day(at: str) -> str:
    """The UTC date of an ISO time, as `_chunk` will store it (YYYY-MM-DD)."""
    if at[-6:] == "+00:00" or at[-1:] == "Z":
        return at[:10]  # _chunk holds the stored day to it, so an odd spelling only costs a refusal
    moment = datetime.fromisoformat(at)
    if moment.utcoffset() is None:
        return at[:10] if len(at) >= 10 and at[4:5] == at[7:8] == "-" else moment.date().isoformat()
    return moment.astimezone(UTC).date().isoformat()


def _binary_keys(keys: np.ndarray) -> bytes:
    """COPY's binary format for one bigint column: header, one tuple per key, trailer."""
    rows = np.empty(len(keys), dtype=_KEY_ROW)
    rows["fields"] = 1
    rows["length"] = 8
    rows["key"] = keys
    return b"PGCOPY\n\xff\r\n\x00" + bytes(8) + rows.tobytes() + b"\xff\xff"


def _chunk(events, offset, repeats, pairs, *, account_ids, contact_ids, months, latest, key_days, escape=False):
    """(COPY text, rows) for these rows, the rows at positions in `repeats` (offset: the first
    one's position) checked but not written; adds their (account id, UTC day) pairs. Raises
    _NotPlain at a row the check refuses, or whose stored UTC day is not its key's day
    (`key_days`, by position). Lines are built unescaped and the chunk's tab,
    newline and backslash counts checked at C speed; a chunk whose fields hold one is built
    again with each field escaped."""
    parse = datetime.fromisoformat
    add_pair = pairs.add
    lines: list[str] = []
    line = lines.append
    nulls = 0
    position = offset - 1
    for e in events:
        position += 1
        event = e.event
        if event.strip() != event:
            raise _NotPlain
        at = e.occurred_at
        try:
            moment = parse(at)
        except ValueError:
            raise _NotPlain from None
        # The usual text is already what isoformat() would give (or PostgreSQL reads the same
        # instant from it): skip isoformat(), the dearest call here.
        # Canonical: YYYY-MM-DDTHH:MM:SS, no or 1-6 decimals, then +00:00 or Z.
        n = len(at)
        plain = n >= 20 and at[10] == "T" and at[4] == at[7] == "-" and at[13] == at[16] == ":" and at.isascii()
        if plain and at[-6:] == "+00:00" and (n == 25 or 27 <= n <= 32 and at[19] == "."):
            pass
        elif plain and at[-1] == "Z" and (n == 20 or 22 <= n <= 27 and at[19] == "."):
            at = at[:-1] + "+00:00"
        else:
            offset_ = moment.utcoffset()
            if offset_ is None:
                moment = moment.replace(tzinfo=UTC)
            elif offset_:
                moment = moment.astimezone(UTC)
            at = moment.isoformat()
        if moment > latest or at[:7] not in months:  # months: 1990 to tomorrow's, made ready
            raise _NotPlain
        properties = e.properties
        properties = "{}" if properties is None else _properties_text(properties)
        message_id = e.message_id
        if message_id:
            if message_id.strip() != message_id or key_days[position] != at[:10]:
                raise _NotPlain
            if repeats and position in repeats:
                if "\x00" in event or "\x00" in message_id:
                    raise _NotPlain
                continue  # a repeat inside the batch, checked like the others: the first row counts
        else:
            message_id = NULL
            nulls += 1
        account_id = account_ids[e.account]
        contact_id = contact_ids[e.contact]
        if contact_id is NULL:
            nulls += 1
        add_pair((account_id, at[:10]))
        if escape:
            event, properties = _copy_text(event), _copy_text(properties)
            if message_id is not NULL:
                message_id = _copy_text(message_id)
        line(f"{account_id}\t{contact_id}\t{event}\t{at}\t{properties}\t{message_id}\n")
    text = "".join(lines)
    if "\x00" in text:
        raise _NotPlain  # a NUL in an event name or message id
    count = len(lines)
    if escape or (
        text.count("\t") == 5 * count and text.count("\n") == count and text.count("\\") == nulls and "\r" not in text
    ):
        return text, count
    return _chunk(
        events,
        offset,
        repeats,
        pairs,
        account_ids=account_ids,
        contact_ids=contact_ids,
        months=months,
        latest=latest,
        key_days=key_days,
        escape=True,
    )
