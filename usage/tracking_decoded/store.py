"""`segment_batch_store`: a decoded /v1/batch stored as usage.tracking stores it, all or
nothing (usage.tracking_decoded).

Streamed: a batch of events only, each naming its account (`context.groupId`) and, if any, its
contact by external ids that exist, is checked, formatted and COPYed chunk by chunk in one
transaction, so PostgreSQL stores chunk k while Python checks chunk k+1. Two passes: any
other batch this path takes (identify / group messages, unknown accounts or contacts, events
whose account is their contact's, a resend) is checked whole first; then, in one
transaction, the upserts, the new accounts and contacts, and one COPY."""

from datetime import date
from operator import attrgetter

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from accounts.models import Account, Contact

from ..ingest.batch import FUTURE_TOLERANCE
from ..ingest.notify import _rollups_add
from ..models import UsageEvent
from ..signals import events_ingested
from ..sql import lookups
from ..sql.events import _conflict, _copy_unescape, events_copy_text, stored_keys_between
from ..sql.idcache import _cached_lookup, _id_cache_current
from ..sql.partitions import _next_month, usage_partitions_ensure
from ..tracking import CONFLICT_ATTEMPTS, TrackingResult, contacts_seen_soon, tracking_upserts_apply
from ..tracking_upserts import TrackingConflict
from .check import NULL, _checked, _NotCommon
from .decode import SegmentMessage

__all__ = ["segment_batch_store"]

CHUNK = 250  # messages per COPY write in the streamed path
EVENT_TYPES = frozenset({"track", "page", "screen"})
TIME_FIELDS = ("timestamp", "originalTimestamp", "sentAt", "receivedAt")


class _Written:
    """What a batch wrote, gathered as its rows are formatted: message keys seen (a repeat within
    the batch counts once), {UTC day: account ids}, each row's (account, day, event as COPY text,
    contact) for the rollups, each contact's latest time."""

    __slots__ = ("by_day", "deltas", "latest", "seen")

    def __init__(self):
        self.seen: set[int] = set()
        self.by_day: dict[str, set[int]] = {}
        self.deltas: list[tuple] = []
        self.latest: dict[int, str] = {}


def segment_batch_store(
    messages: list[SegmentMessage], *, identity_changes: bool = True, id_token: str | None = None
) -> TrackingResult | None:
    """Apply a decoded batch, all or nothing, as usage.tracking.tracking_messages_store does;
    None, with nothing written, when the batch is not of a kind this path takes: the caller
    then takes the general path with the same body. `id_token`: the id cache's generation token
    as read earlier in this request (usage.sql.idcache.id_token_annotation), or None."""
    if not messages:
        return None
    now = timezone.now()
    latest = now + FUTURE_TOLERANCE
    repeat = False
    if set(map(attrgetter("type"), messages)) <= EVENT_TYPES:
        try:
            return _store_streamed(messages, now, latest, id_token)
        except _NotCommon:
            pass  # rolled back, nothing written: the two passes below decide
        except (IntegrityError, OperationalError) as exc:
            if not _conflict(exc):
                raise
            repeat = True  # a message id stored before: rolled back; look the keys up first
    try:
        upserts, events = _checked(messages, latest, now)
        return _store_two_pass(upserts, events, len(messages), identity_changes=identity_changes, repeat=repeat)
    except _NotCommon:
        return None  # rolled back, nothing written


def _known(groups: set[str], users: set[str], id_token: str | None = None) -> tuple[dict[str, int], dict[str, int]]:
    """{external id: id} of the accounts and contacts among these that exist: from this
    process's id cache outside a transaction (usage.sql.idcache), else one lookup per kind."""
    cache = _id_cache_current(id_token)
    if cache is None:
        return (
            lookups.ids_by(Account, "external_id", sorted(groups)),
            lookups.ids_by(Contact, "external_id", sorted(users)),
        )
    return _cached_lookup(Account, groups, cache.accounts), _cached_lookup(Contact, users, cache.contacts)


# Section: streamed


def _store_streamed(messages: list[SegmentMessage], now, latest, id_token: str | None = None) -> TrackingResult:
    """Events only, every account and contact known, every time in `timestamp`: checked and
    COPYed chunk by chunk. Raises _NotCommon (or IntegrityError: a message id stored before)
    with nothing written."""
    try:
        groups = set(map(attrgetter("context.groupId"), messages))
    except AttributeError:  # a message without a context
        raise _NotCommon from None
    users = set(map(attrgetter("userId"), messages))
    users.discard(None)
    if not all(type(ref) is str for ref in groups) or not all(type(ref) is str for ref in users):
        raise _NotCommon  # no groupId (the contact's account), or numbers: the two passes
    accounts, contacts = _known(groups, users, id_token)
    if len(accounts) < len(groups) or len(contacts) < len(users):
        raise _NotCommon  # some to create first
    months = _months(messages, latest)
    written = _Written()
    result = TrackingResult(messages=len(messages))
    # The COPY and the batch's rollup deltas commit together (usage.ingest.notify).
    with transaction.atomic():
        result.events_stored = events_copy_text(
            _stream(messages, accounts, contacts, months, written, now=now, latest=latest)
        )
        result.duplicates = len(messages) - result.events_stored
        _after(written)  # after commit: at once when the COPY committed by itself
    return result


def _months(messages: list[SegmentMessage], latest) -> set[str]:
    """The UTC months ("YYYY-MM") the batch's rows may have, with their partitions made ready:
    those of every `timestamp` from 1990 to tomorrow. A row in another month (an offset that
    moves it, another time field) fails the streamed path."""
    texts = set(map(attrgetter("timestamp"), messages))
    if None in texts:
        raise _NotCommon
    last = f"{latest:%Y-%m}"
    months = {t[:7] for t in texts}
    months = {m for m in months if "1990-01" <= m <= last and len(m) == 7 and m[4] == "-" and m[5:].isdigit()}
    try:
        usage_partitions_ensure(months={date(int(m[:4]), int(m[5:7]), 1) for m in months})
    except ValueError:
        raise _NotCommon from None  # not a month ("2026-13"): the two passes decide
    return months


def _stream(messages, accounts, contacts, months, written: _Written, *, now, latest):
    """(COPY text, rows) per chunk of messages: checked, their ids filled in, formatted."""
    for start in range(0, len(messages), CHUNK):
        _upserts, events = _checked(messages[start : start + CHUNK], latest, now)
        try:
            yield _stream_text(events, accounts, contacts, months, written)
        except KeyError:
            raise _NotCommon from None


def _stream_text(events, accounts: dict, contacts: dict, months: set[str], written: _Written) -> tuple[str, int]:
    """`_format` for the streamed path in one loop: ids from the maps, each UTC day's month
    checked against the partitions made ready, the chunk's COPY text and its row count."""
    seen, by_day, latest = written.seen, written.by_day, written.latest
    delta = written.deltas.append
    parts: list[str] = []
    append = parts.append
    last_day, on_day = None, set()
    for user_id, group_id, day, tail, key, at in events:
        account_id = accounts[group_id]
        if day != last_day:  # rows come mostly in time order: one lookup per run of a day
            if day[:7] not in months:
                raise _NotCommon
            on_day = by_day.get(day)
            if on_day is None:
                on_day = by_day[day] = set()
            last_day = day
        if user_id is None:
            contact = NULL
        else:
            contact = contacts[user_id]
            if at > latest.get(contact, ""):
                latest[contact] = at
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        on_day.add(account_id)
        delta((account_id, day, tail[: tail.index("\t")], contact))
        append(f"{account_id}\t{contact}\t{tail}")
    return "".join(parts), len(parts)


# Section: two passes


def _store_two_pass(upserts, events, count: int, *, identity_changes: bool, repeat: bool) -> TrackingResult:
    """The checked batch in one transaction: identify / group in order, then new accounts and
    contacts, then one COPY of the events (after a lookup of their stored keys when `repeat`).
    A COPY that meets a stored key rolls the whole transaction back and runs again with the
    lookup; a second conflict (a concurrent batch) raises _NotCommon."""
    groups = {e[1] for e in events if e[1] is not None}
    users = {e[0] for e in events if e[0] is not None}
    known = _known(groups, users) if events else ({}, {})
    for _attempt in range(CONFLICT_ATTEMPTS):
        result = TrackingResult(messages=count)
        accounts, contacts = dict(known[0]), dict(known[1])
        try:
            with transaction.atomic():
                if upserts:
                    _upserts_apply(upserts, result, identity_changes)
                if events:
                    _events_store(events, accounts, contacts, result, upserts_done=bool(upserts), repeat=repeat)
            return result
        except TrackingConflict:
            continue  # another request created one of the same accounts or contacts first: again
        except (IntegrityError, OperationalError) as exc:
            if not _conflict(exc):
                raise
            if repeat:
                raise _NotCommon from exc  # a concurrent batch stored some first: INSERT ... ON CONFLICT
            repeat = True
    raise _NotCommon  # the general path decides


def _upserts_apply(upserts: list[SegmentMessage], result: TrackingResult, identity_changes: bool) -> None:
    """The identify and group messages, in order, through usage.tracking's batched upserts."""
    messages = []
    for m in upserts:
        context = m.context
        message = {name: getattr(m, name) for name in ("type", "userId", "groupId", "traits", *TIME_FIELDS)}
        message["context"] = {} if context is None else {"groupId": context.groupId, "traits": context.traits}
        messages.append(message)
        if m.type == "group":
            result.accounts_upserted += 1
            result.contacts_upserted += 1 if m.userId is not None else 0
        elif m.userId is not None:
            result.contacts_upserted += 1
    tracking_upserts_apply(messages, identity_changes)


def _events_store(events, accounts: dict, contacts: dict, result: TrackingResult, *, upserts_done, repeat) -> None:
    """Resolve the events' accounts and contacts (creating unknown ones as usage.tracking
    does), then COPY them."""
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
    account_ids, new_contacts = [], {}
    for user_id, group_id, *_rest in events:
        account_id = accounts[group_id] if group_id is not None else contact_accounts.get(user_id)
        if account_id is None:
            raise _NotCommon  # no account to tell: the general path reports it
        account_ids.append(account_id)
        if user_id is not None and user_id not in contacts and user_id not in new_contacts:
            new_contacts[user_id] = Contact(external_id=user_id, account_id=account_id)
    if new_contacts:
        Contact.objects.bulk_create(list(new_contacts.values()), ignore_conflicts=True)  # as accounts above
        contacts.update(lookups.ids_by(Contact, "external_id", list(new_contacts)))
        result.contacts_upserted += len(new_contacts)
    usage_partitions_ensure(months={date(int(e[2][:4]), int(e[2][5:7]), 1) for e in events})
    written = _Written()
    lines = _format(events, account_ids, contacts, written)
    if repeat:
        stored = _stored_keys(lines)
        if stored:
            lines = [line for line in lines if line[0] not in stored]
            written.by_day = {}
            for _key, _text, day, account_id, _delta in lines:
                written.by_day.setdefault(day, set()).add(account_id)
    written.deltas = [line[4] for line in lines]
    result.events_stored = events_copy_text([("".join([line[1] for line in lines]), len(lines))])
    result.duplicates = len(events) - result.events_stored
    _after(written)


def _stored_keys(lines: list[tuple]) -> set[int]:
    keys = [line[0] for line in lines if line[0] is not None]
    if not keys:
        return set()
    days = sorted({line[2] for line in lines if line[0] is not None})
    first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    return stored_keys_between(keys, first.replace(day=1), _next_month(last))


# Section: both


def _format(events: list[list], account_ids: list[int], contacts: dict, written: _Written) -> list[tuple]:
    """Each row to write as (message key, COPY line, UTC day, account id, its rollup delta); a repeat of a message
    id within the batch is dropped (the first counts). Every event, repeats too, moves its
    contact's latest time (as usage.tracking does). KeyError: an unknown contact."""
    seen, by_day, latest = written.seen, written.by_day, written.latest
    lines = []
    append = lines.append
    last_day, on_day = None, set()
    for (user_id, _group, day, tail, key, at), account_id in zip(events, account_ids, strict=True):
        if user_id is None:
            contact = NULL
        else:
            contact = contacts[user_id]
            if at > latest.get(contact, ""):
                latest[contact] = at
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        if day != last_day:  # rows come mostly in time order: one lookup per run of a day
            on_day = by_day.get(day)
            if on_day is None:
                on_day = by_day[day] = set()
            last_day = day
        on_day.add(account_id)
        delta = (account_id, day, tail[: tail.index("\t")], contact)
        append((key, f"{account_id}\t{contact}\t{tail}", day, account_id, delta))
    return lines


def _after(written: _Written) -> None:
    """After commit: the rollups of the touched (account, day) pairs, events_ingested, and the
    contacts' last_seen_at (all derived, all by a worker or inline in the embedded mode)."""
    if written.by_day:
        account_ids = sorted(set().union(*written.by_day.values()))
        _rollups_add(
            (a, d, _copy_unescape(e) if "\\" in e else e, c) for a, d, e, c in written.deltas
        )  # fmt: skip
        transaction.on_commit(lambda: events_ingested.send(sender=UsageEvent, account_ids=account_ids))
    contacts_seen_soon(written.latest)
