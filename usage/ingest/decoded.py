"""Usage events in, the common bulk body: decoded and type-checked in C, streamed into COPY.

POST /api/v1/events/bulk hands its body here first (`events_decode`, then
`events_store_decoded`). A body whose rows all have the plain shape (the documented fields as
JSON strings and a properties object; no `account_id` / `contact_id`) is decoded by msgspec
straight into `PlainEvent` structs, the field types and lengths checked while it parses; the
rest of `usage.ingest._plain_rows`' check (nothing to strip, no NUL, an ISO time from 1990
to tomorrow) is made per row in Python, and each row is formatted into the events COPY as it
goes. Anything else returns None with nothing written, and the caller parses the body as
before (orjson, `usage.ingest.events_store`), which decides and reports: so this path only
ever accepts batches that path would accept, with the same values (docs/decisions.md "Ingest:
the bulk body decoded by msgspec").

PostgreSQL only: on SQLite `events_decode` returns None.
"""

from datetime import UTC, date, datetime
from functools import partial
from operator import attrgetter, itemgetter
from typing import Annotated, Any

import msgspec
import orjson
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from core.api.parsers import MAX_DEPTH, NUL_ESCAPE, JSONBodyError, json_check
from core.db import is_postgresql

from ..models import UsageEvent
from ..signals import events_ingested
from ..sql.events import _conflict, _copy_text
from ..sql.partitions import usage_partitions_ensure
from .batch import COPY_COLUMNS, EVENTS_TABLE, FUTURE_TOLERANCE, IngestResult
from .ids import _id_maps
from .keys import day_top, fast_md5
from .notify import _rollups_add
from .validate import _NotPlain

__all__ = ["PlainEvent", "events_decode", "events_store_decoded"]

COPY_CHUNK = 2000  # rows per write: PostgreSQL stores chunk k while Python checks chunk k+1
FIRST_CHUNK = 250  # the first write is small, so PostgreSQL has rows to store sooner


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
    if not is_postgresql() or NUL_ESCAPE in body:
        return None  # a NUL anywhere: the general path names the field
    try:
        if body.lstrip()[:1] == b"[":
            events = _decode_array(body)
        else:
            events = [_decode_one(line) for line in body.splitlines() if line.strip()]
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):  # ValidationError is a DecodeError
        return None
    unset = msgspec.UNSET
    for e in events:
        if e.account_id is not unset or e.contact_id is not unset:
            return None
    if not _flat(body, events):
        return None  # the general path refuses nesting past core.api.parsers.MAX_DEPTH, naming the row
    return events


def _flat(body: bytes, events: list[PlainEvent]) -> bool:
    """No row's properties nest deeper than the general path allows. Counted in C first: with at
    most two brackets per row (the row, its properties) and one for the array, nothing nests."""
    if body.count(b"{") + body.count(b"[") <= 2 * len(events) + 1:
        return True
    for e in events:
        if e.properties:
            try:
                json_check(e.properties, nul_possible=False, max_depth=MAX_DEPTH - 2)
            except JSONBodyError:
                return False
    return True


def _plain_ref(value: str) -> bool:
    return value.strip() == value and "\x00" not in value


def events_store_decoded(events: list[PlainEvent]) -> IngestResult | None:
    """Store decoded plain rows of new events, all or nothing; None, with nothing written, when
    the batch is not of that kind (a row the check refuses, an unknown account or contact, a
    message id stored before or repeated within the batch): the caller then takes the general
    path with the same body.

    External ids are resolved first (this process's id cache, one query per kind for the rest:
    usage.ingest._id_maps). Then each row is checked, keyed (usage.ingest.message_key: the
    UTC day the row is stored under, the id's MD5), formatted and written to the events COPY in
    chunks, so PostgreSQL stores chunk k while Python checks chunk k+1. A key stored before
    fails the COPY with a unique violation (each month partition's unique index) and the batch
    rolls back: a resend pays one COPY cut short, then the general path looks its keys up first."""
    if not events:
        return None
    # Whole-batch sets through map() and attrgetter: loops in C.
    accounts = set(map(attrgetter("account"), events))
    contacts = set(map(attrgetter("contact"), events))
    contacts.discard(None)
    contacts.discard("")
    if not all(map(_plain_ref, accounts)) or not all(map(_plain_ref, contacts)):
        return None
    message_ids = [m for m in map(attrgetter("message_id"), events) if m]
    if len(set(message_ids)) < len(message_ids):
        return None  # an id repeats within the batch: the general path keeps its first row
    maps = _id_maps(accounts, contacts)
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
    days: dict[str, set[str]] = {}  # UTC day: the ids (as text) of the accounts with rows on it
    deltas: list[tuple] = []  # (account, day, event, contact) per row, as text: the rollups'
    check = partial(_chunk, account_ids=account_ids, contact_ids=contact_ids, months=months, latest=latest)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # wrapped: a unique violation on a message key is an IntegrityError
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {EVENTS_TABLE} ({COPY_COLUMNS}) FROM STDIN") as copy,
            ):
                starts = [0, *range(FIRST_CHUNK, len(events), COPY_CHUNK)]
                for start, end in zip(starts, [*starts[1:], len(events)], strict=True):
                    copy.write(check(events[start:end], days, deltas))
            stored = len(events)
            by_day = {day: list(map(int, ids)) for day, ids in days.items()}
            account_list = sorted(set().union(*by_day.values()))
            _rollups_add(deltas)
            if account_list:
                transaction.on_commit(lambda: events_ingested.send(sender=UsageEvent, account_ids=account_list))
    except (_NotPlain, IntegrityError):
        return None  # rolled back, nothing written
    except OperationalError as exc:
        if not _conflict(exc):
            raise
        return None  # a deadlock with a batch of the same keys, rolled back: the general path waits
    return IngestResult(received=len(events), stored=stored, duplicates=len(events) - stored, account_ids=account_list)


NULL = "\\N"  # COPY's null


def _chunk(events, days, deltas, *, account_ids, contact_ids, months, latest, escape=False):
    """The COPY text of these rows, each with its message key; adds each row's account id to
    `days` under its UTC day and its (account, day, event, contact) to `deltas`. Raises
    _NotPlain at a row the check refuses. Lines are built unescaped and the chunk's tab, newline
    and backslash counts checked at C speed; a chunk whose fields hold one is built again with
    each field escaped."""
    parse = datetime.fromisoformat
    dumps = orjson.dumps
    from_bytes = int.from_bytes
    tops: dict[str, int] = {}
    mark = len(deltas)
    delta = deltas.append
    last_day, on_day = None, None
    lines: list[str] = []
    line = lines.append
    nulls = 0
    for e in events:
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
        if properties is None:
            properties = "{}"
        else:
            try:
                properties = dumps(properties).decode()  # a NUL (\u0000) is looked for in the whole chunk
            except TypeError:  # an integer past 64 bits
                raise _NotPlain from None
        message_id = e.message_id
        day = at[:10]
        if message_id:
            if message_id.strip() != message_id:
                raise _NotPlain
            top = tops.get(day)
            if top is None:
                top = tops[day] = day_top(date.fromisoformat(day))
            key = top + from_bytes(fast_md5(message_id.encode()).digest()[:6], "big")
        else:
            message_id = key = NULL
            nulls += 2
        account_id = account_ids[e.account]
        contact_id = contact_ids[e.contact]
        if contact_id is NULL:
            nulls += 1
        if day != last_day:  # rows come mostly in time order: one lookup per run of a day
            on_day = days.get(day)
            if on_day is None:
                on_day = days[day] = set()
            last_day = day
        on_day.add(account_id)
        delta((account_id, day, event, contact_id))
        if escape:
            event, properties = _copy_text(event), _copy_text(properties)
            if message_id is not NULL:
                message_id = _copy_text(message_id)
        line(f"{account_id}\t{contact_id}\t{event}\t{at}\t{properties}\t{message_id}\t{key}\n")
    text = "".join(lines)
    if "\x00" in text or "\\u0000" in text:
        # A NUL in an event name or message id, or in properties (jsonb has none): orjson writes
        # it \u0000. (Text that only looks like one, a literal backslash-u0000, goes too: the
        # full check tells them apart.)
        raise _NotPlain
    count = len(lines)
    if escape or (
        text.count("\t") == 6 * count and text.count("\n") == count and text.count("\\") == nulls and "\r" not in text
    ):
        return text
    del deltas[mark:]  # formatted again below, escaped: the rows' deltas again too
    return _chunk(
        events,
        days,
        deltas,
        account_ids=account_ids,
        contact_ids=contact_ids,
        months=months,
        latest=latest,
        escape=True,
    )
