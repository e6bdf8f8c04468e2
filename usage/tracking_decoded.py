"""Segment's /v1/batch, the common body: decoded by msgspec, streamed into the events COPY.

POST /v1/batch hands its body here first (`segment_batch_decode`, then `segment_batch_store`),
as /api/v1/events/bulk hands its body to usage.ingest.decoded. The body is decoded straight
into `SegmentMessage` structs (only the fields usage.tracking reads; the rest, `integrations`,
`context.library` and so on, are skipped in C, never built), each message is checked the way
usage.tracking checks it but stricter (exact types, nothing to strip, an ISO time from 1990 to
tomorrow), and the events are formatted into the events COPY as they go, each with its
message key. Anything else answers None with nothing written, and the caller takes the
general path (usage.tracking.tracking_messages_store) with the same body, which decides and
reports: so this path only accepts batches that path accepts, and stores the same rows
(docs/decisions.md "Segment /v1/batch: decoded and streamed like the bulk body").

- Accounts and contacts the events name are looked up once per kind, from this process's id
  cache (usage.sql.idcache) before the transaction opens; unknown ones are created as
  usage.tracking creates them (ON CONFLICT DO NOTHING, then read back).
- `identify` and `group` messages go through usage.tracking's own upserts, in order, first.
- A message id stored before fails the COPY (each month partition's unique index): the COPY is
  rolled back to its savepoint, the batch's stored keys are read with one indexed lookup, and
  the rest is COPYed; a concurrent batch storing the same new keys in between makes that fail
  too, and the whole batch goes the general way (INSERT ... ON CONFLICT, which waits).
- Contacts' `last_seen_at` (a derived value, like the daily rollups) is moved forward after
  commit by a Celery task (`contacts_seen_update_task`), not in the request.

PostgreSQL only: on SQLite `segment_batch_decode` returns None.
"""

from datetime import UTC, date, datetime
from itertools import accumulate
from operator import attrgetter

import msgspec
import orjson
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from accounts.models import Account, Contact
from core.api.parsers import MAX_DEPTH, NUL_ESCAPE, JSONBodyError, json_check
from core.db import is_postgresql

from .ingest.batch import COPY_COLUMNS, EVENTS_TABLE, FUTURE_TOLERANCE
from .ingest.keys import day_top, fast_md5
from .ingest.notify import _refresh_rollups_by_day
from .models import UsageEvent
from .signals import events_ingested
from .sql import lookups
from .sql.events import _conflict, _copy_text
from .sql.idcache import _cached_lookup, _id_cache_current
from .sql.partitions import usage_partitions_ensure
from .tracking import (
    EVENT_TYPES,
    TYPES,
    TrackingResult,
    _account_upsert,
    _contact_upsert,
    _seen_at,
    contacts_seen_soon,
)

__all__ = ["SegmentMessage", "segment_batch_decode", "segment_batch_store"]

COPY_CHUNK = 250  # rows per write: PostgreSQL stores chunk k while Python formats chunk k+1
NULL = "\\N"  # COPY's null
TIME_FIELDS = ("timestamp", "originalTimestamp", "sentAt", "receivedAt")


class _Context(msgspec.Struct, gc=False):
    groupId: str | int | None = None  # noqa: N815
    traits: dict | None = None


class SegmentMessage(msgspec.Struct, gc=False):
    """The fields of a Segment message that usage.tracking reads, with exact JSON types."""

    type: str | None = None
    userId: str | int | None = None  # noqa: N815
    anonymousId: str | None = None  # noqa: N815
    groupId: str | int | None = None  # noqa: N815
    event: str | None = None
    name: str | None = None
    category: str | None = None
    messageId: str | None = None  # noqa: N815
    timestamp: str | None = None
    originalTimestamp: str | None = None  # noqa: N815
    sentAt: str | None = None  # noqa: N815
    receivedAt: str | None = None  # noqa: N815
    traits: dict | None = None
    properties: dict | None = None
    context: _Context | None = None


class _Batch(msgspec.Struct, gc=False):
    batch: list[SegmentMessage]
    sentAt: str | None = None  # noqa: N815
    context: _Context | None = None


_decode = msgspec.json.Decoder(_Batch).decode

# Bytes to delete so that only brackets remain, and each bracket's step in depth.
_NOT_BRACKETS = bytes(range(256)).translate(None, b"{}[]")
_STEP = [0] * 256
for _c in b"{[":
    _STEP[_c] = 1
for _c in b"}]":
    _STEP[_c] = -1


def _depth_bound_ok(body: bytes) -> bool:
    """The body's nesting, counted over its brackets, stays within core.api.parsers.MAX_DEPTH.
    Brackets inside strings count too (exact for ordinary bodies); what this path keeps
    (properties, traits) is checked exactly again below, whatever strings hold."""
    brackets = body.translate(None, _NOT_BRACKETS)
    if len(brackets) <= MAX_DEPTH:
        return True
    return max(accumulate(map(_STEP.__getitem__, brackets))) <= MAX_DEPTH


def segment_batch_decode(body: bytes) -> list[SegmentMessage] | None:
    """The messages of a /v1/batch body when it decodes into the common shape; None otherwise
    (bad JSON, other types, a NUL, deep nesting, a batch-level context that names an account,
    not PostgreSQL): the general path then parses the body and decides."""
    if not is_postgresql() or NUL_ESCAPE in body or not _depth_bound_ok(body):
        return None
    try:
        batch = _decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        return None
    if batch.sentAt is not None and _time(batch.sentAt) is None:
        return None
    shared = batch.context
    if shared is not None and (shared.groupId is not None or shared.traits is not None):
        return None  # it applies to messages without a context of their own: the general path
    return batch.batch


def _time(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _ref(value) -> str | None:
    """A userId / groupId as usage.tracking._str_id takes it unchanged; None for anything else."""
    if type(value) is int:
        return str(value)
    if type(value) is str and 0 < len(value) <= 191 and value.strip() == value:
        return value
    return None


def _flat_json(value: dict, max_depth: int) -> str | None:
    """`value` as compact JSON text when it nests at most max_depth levels (a count of its
    brackets bounds its depth; past it, core.api.parsers.json_check decides); None otherwise."""
    try:
        text = orjson.dumps(value).decode()
    except TypeError:  # an integer past 64 bits: the general path refuses it
        return None
    if text.count("{") + text.count("[") > max_depth:
        try:
            json_check(value, nul_possible=False, max_depth=max_depth)
        except JSONBodyError:
            return None
    return text


class _NotCommon(Exception):
    """A message or row this path does not take: the general path decides and reports."""


def _checked(messages: list[SegmentMessage], latest: datetime, now: datetime):
    """Split the batch into identify / group messages (in order) and events, checking each the
    way usage.tracking._validate does (stricter). Events are tuples (user id, group id, event
    name, UTC time as ISO text, properties as JSON text, message id). Raises _NotCommon."""
    upserts, events = [], []
    append_event = events.append
    now_text = now.astimezone(UTC).isoformat()
    for m in messages:
        kind = m.type
        if kind not in TYPES:
            raise _NotCommon
        for name in ("anonymousId", "event", "name", "messageId"):
            if getattr(m, name) == "":
                raise _NotCommon
        user_id = None
        if m.userId is not None and (user_id := _ref(m.userId)) is None:
            raise _NotCommon
        context = m.context
        group_id = None
        if context is not None and context.groupId is not None and (group_id := _ref(context.groupId)) is None:
            raise _NotCommon
        if m.groupId is not None and _ref(m.groupId) is None:
            raise _NotCommon
        moment = None
        for name in TIME_FIELDS:
            value = getattr(m, name)
            if value is not None:
                parsed = _time(value)
                if parsed is None:
                    raise _NotCommon
                if moment is None:
                    moment = parsed
        if kind not in EVENT_TYPES:
            if kind == "group" and m.groupId is None:
                raise _NotCommon
            if kind == "identify" and user_id is None and m.anonymousId is None:
                raise _NotCommon
            for traits in (m.traits, context.traits if context is not None else None):
                if traits is not None and _flat_json(traits, MAX_DEPTH - 3) is None:
                    raise _NotCommon
            upserts.append(m)
            continue
        if kind == "track":
            name = m.event
            if name is None or not 0 < len(name) <= 128 or name.strip() != name:
                raise _NotCommon
        else:
            name = "Page Viewed" if kind == "page" else "Screen Viewed"
        properties = m.properties
        if kind != "track" and (m.name or m.category):
            properties = dict(properties or {})
            if m.name:
                properties.setdefault("name", m.name)
            if m.category:
                properties.setdefault("category", m.category)
        if properties:
            properties = _flat_json(properties, MAX_DEPTH - 3)
            if properties is None:
                raise _NotCommon
        else:
            properties = "{}"
        if moment is None:
            at = now_text
        else:
            offset = moment.utcoffset()
            if offset is None:
                moment = moment.replace(tzinfo=UTC)
            elif offset:
                moment = moment.astimezone(UTC)
            if moment.year < 1990 or moment > latest:
                raise _NotCommon
            at = moment.isoformat()
        append_event((user_id, group_id, name, at, properties, m.messageId))
    return upserts, events


def _known(model, refs: set[str], cache_of) -> dict[str, int]:
    """{external id: id} of those of `refs` that exist: this process's id cache outside a
    transaction (usage.sql.idcache), else one lookup."""
    if not refs:
        return {}
    cache = _id_cache_current()
    if cache is not None:
        return _cached_lookup(model, refs, cache_of(cache))
    return lookups.ids_by(model, "external_id", sorted(refs))


def segment_batch_store(messages: list[SegmentMessage], *, identity_changes: bool = True) -> TrackingResult | None:
    """Apply a decoded batch, all or nothing, as usage.tracking.tracking_messages_store does;
    None, with nothing written, when the batch is not of the common kind (see the module
    docstring): the caller then takes the general path with the same body."""
    if not messages:
        return None
    now = timezone.now()
    try:
        upserts, events = _checked(messages, now + FUTURE_TOLERANCE, now)
    except _NotCommon:
        return None
    result = TrackingResult(messages=len(messages))
    group_refs = {e[1] for e in events}
    group_refs.discard(None)
    user_refs = {e[0] for e in events}
    user_refs.discard(None)
    accounts = _known(Account, group_refs, attrgetter("accounts"))
    contacts = _known(Contact, user_refs, attrgetter("contacts"))
    try:
        with transaction.atomic():
            for m in upserts:
                _upsert(m, result, identity_changes)
            if events:
                _events_store(events, accounts, contacts, result, upserts_done=bool(upserts))
    except _NotCommon:
        return None  # rolled back, nothing written
    return result


def _upsert(m: SegmentMessage, result: TrackingResult, identity_changes: bool) -> None:
    """One identify or group message, through usage.tracking's own upserts."""
    user_id = _ref(m.userId) if m.userId is not None else None
    seen = _seen_at({name: getattr(m, name) for name in TIME_FIELDS})
    if m.type == "group":
        account = _account_upsert(_ref(m.groupId), m.traits or {}, identity_changes=identity_changes)
        result.accounts_upserted += 1
        if user_id:
            _contact_upsert(user_id, {}, account, seen, identity_changes=identity_changes)
            result.contacts_upserted += 1
    elif m.type == "identify" and user_id:
        context = m.context
        group_id = _ref(context.groupId) if context is not None and context.groupId is not None else None
        account = _account_upsert(group_id, {}) if group_id else None
        traits = m.traits or (context.traits if context is not None else None) or {}
        _contact_upsert(user_id, traits, account, seen, identity_changes=identity_changes)
        result.contacts_upserted += 1


def _events_store(events: list[tuple], accounts: dict, contacts: dict, result: TrackingResult, *, upserts_done):
    """Resolve the events' accounts and contacts (creating unknown ones), then COPY them."""
    if upserts_done:
        # identify / group may have created some of them in this transaction
        missing = {e[1] for e in events if e[1] is not None and e[1] not in accounts}
        accounts.update(lookups.ids_by(Account, "external_id", sorted(missing)))
        missing = {e[0] for e in events if e[0] is not None and e[0] not in contacts}
        contacts.update(lookups.ids_by(Contact, "external_id", sorted(missing)))
    # The account of an event without context.groupId is its contact's (as it is now).
    homeless = sorted({e[0] for e in events if e[1] is None and e[0] is not None and e[0] in contacts})
    contact_accounts = dict(lookups.external_id_rows(Contact, homeless, "account_id")) if homeless else {}
    new_accounts = sorted({e[1] for e in events if e[1] is not None and e[1] not in accounts})
    if new_accounts:
        # ON CONFLICT DO NOTHING: a concurrent request may create the same account; read the ids back.
        Account.objects.bulk_create([Account(external_id=g, name=g) for g in new_accounts], ignore_conflicts=True)
        accounts.update(lookups.ids_by(Account, "external_id", new_accounts))
        result.accounts_upserted += len(new_accounts)
    rows, new_contacts = [], {}
    for user_id, group_id, name, at, properties, message_id in events:
        if group_id is not None:
            account_id = accounts[group_id]
        else:
            account_id = contact_accounts.get(user_id)
            if account_id is None:
                raise _NotCommon  # no account to tell: the general path reports it
        if user_id is not None and user_id not in contacts and user_id not in new_contacts:
            new_contacts[user_id] = Contact(external_id=user_id, account_id=account_id)
        rows.append((account_id, user_id, name, at, properties, message_id))
    if new_contacts:
        Contact.objects.bulk_create(list(new_contacts.values()), ignore_conflicts=True)  # as accounts above
        contacts.update(lookups.ids_by(Contact, "external_id", list(new_contacts)))
        result.contacts_upserted += len(new_contacts)
    usage_partitions_ensure(months={date(int(r[3][:4]), int(r[3][5:7]), 1) for r in rows})
    lines, by_day, latest_seen = _format(rows, contacts)
    try:
        stored = _copy(lines)
    except IntegrityError:
        # A message id stored before (a resend): keep the rows whose keys are new.
        stored_keys = _stored_keys(lines)
        try:
            stored = _copy([line for line in lines if line[0] not in stored_keys])
        except (IntegrityError, OperationalError) as exc:
            if isinstance(exc, OperationalError) and not _conflict(exc):
                raise
            raise _NotCommon from exc  # a concurrent batch stored some of them first: INSERT ... ON CONFLICT
        by_day = {}
        for key, _text, day, account_id in lines:
            if key not in stored_keys:
                by_day.setdefault(day, set()).add(account_id)
    result.events_stored = stored
    result.duplicates = len(rows) - stored
    if by_day:
        account_ids = sorted(set().union(*by_day.values()))
        _refresh_rollups_by_day(by_day)
        transaction.on_commit(lambda: events_ingested.send(sender=UsageEvent, account_ids=account_ids))
    contacts_seen_soon(latest_seen)


def _format(rows: list[tuple], contacts: dict):
    """Each new row's (message key, COPY line, UTC day, account id); repeats of a message id
    within the batch dropped (the first counts). Also {UTC day: account ids} and each
    contact's latest event time (ISO text)."""
    tops: dict[str, int] = {}
    seen: set[int] = set()
    lines = []
    by_day: dict[str, set[int]] = {}
    latest: dict[int, str] = {}
    from_bytes = int.from_bytes
    for account_id, user_id, name, at, properties, message_id in rows:
        day = at[:10]
        if message_id is None:
            key = None
            message_text = key_text = NULL
        else:
            top = tops.get(day)
            if top is None:
                top = tops[day] = day_top(date.fromisoformat(day))
            key = top + from_bytes(fast_md5(message_id.encode()).digest()[:6], "big")
            if key in seen:
                continue
            seen.add(key)
            message_text, key_text = _copy_text(message_id), str(key)
        if user_id is None:
            contact_text = NULL
        else:
            contact_id = contacts[user_id]
            contact_text = str(contact_id)
            if contact_id not in latest or at > latest[contact_id]:
                latest[contact_id] = at
        on_day = by_day.get(day)
        if on_day is None:
            on_day = by_day[day] = set()
        on_day.add(account_id)
        lines.append(
            (
                key,
                f"{account_id}\t{contact_text}\t{_copy_text(name)}\t{at}\t{_copy_text(properties)}\t"
                f"{message_text}\t{key_text}\n",
                day,
                account_id,
            )
        )
    return lines, by_day, latest


def _copy(lines: list[tuple]) -> int:
    """COPY these lines in chunks, in a savepoint; IntegrityError (rolled back to it) when a
    message key is stored already. Returns the rows written."""
    if not lines:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        # wrapped: a unique violation on a message key is an IntegrityError
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {EVENTS_TABLE} ({COPY_COLUMNS}) FROM STDIN") as copy,
        ):
            for start in range(0, len(lines), COPY_CHUNK):
                copy.write("".join([line[1] for line in lines[start : start + COPY_CHUNK]]))
    return len(lines)


def _stored_keys(lines: list[tuple]) -> set[int]:
    """Which of these lines' message keys are stored: one indexed lookup in their UTC months."""
    keys = [line[0] for line in lines if line[0] is not None]
    if not keys:
        return set()
    days = sorted({line[2] for line in lines if line[0] is not None})
    first = date.fromisoformat(days[0]).replace(day=1)
    last = date.fromisoformat(days[-1])
    after = date(last.year + last.month // 12, last.month % 12 + 1, 1)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT message_key FROM {EVENTS_TABLE} WHERE message_key = ANY(string_to_array(%s, ',')::bigint[]) "
            "AND occurred_at >= %s AND occurred_at < %s",
            [",".join(map(str, keys)), first, after],
        )
        return {key for (key,) in cursor.fetchall()}
