"""Segment-compatible tracking (DESIGN.md fixed interfaces): identify, group, track, page, screen.

`tracking_messages_store(messages)` takes a list of Segment messages (one request, or one
/v1/batch) and applies them in a single transaction: a batch with any invalid message is
refused whole with the index, field and reason of each bad one, so a Segment client never
sees a 5xx for a half-stored batch (it retries 5xx and drops 4xx).

- `group`    upserts the account whose external id is `groupId` (traits: name, website /
             domain, industry, plan, ...) and, with a `userId`, moves that contact to it.
             With an ingest-scoped key, existing records keep their identity (see
             `tracking_messages_store`).
- `identify` upserts the contact whose external id is `userId` (traits: email, name, title,
             language, timezone, ...); `context.groupId` sets its account.
- `track`, `page`, `screen` record a usage event through usage.ingest.events_store
             (event name, or "Page Viewed" / "Screen Viewed"), `messageId` stored once.
             The account is `context.groupId` (an unknown one is created, as `group` would),
             else the contact's account from its last group call; with neither, the batch is
             refused. An unknown `userId` becomes a contact of that account.
- `alias` is accepted and ignored (we key contacts on userId only).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Account, Contact

from .ingest import IngestError, events_store
from .sql import lookups
from .tracking_upserts import TrackingConflict, TrackingRecords

__all__ = [
    "TrackingError",
    "TrackingResult",
    "contacts_seen_soon",
    "tracking_messages_store",
    "tracking_upserts_apply",
]

CONFLICT_ATTEMPTS = 3

TYPES = {"identify", "group", "track", "page", "screen", "alias"}
EVENT_TYPES = {"track", "page", "screen"}


class TrackingError(Exception):
    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__(f"{len({e['index'] for e in errors})} invalid message(s)")


@dataclass
class TrackingResult:
    messages: int = 0
    events_stored: int = 0
    duplicates: int = 0
    accounts_upserted: int = 0
    contacts_upserted: int = 0


def _str_id(value) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, str) and 0 < len(value.strip()) <= 191 and "\x00" not in value:
        return value.strip()
    return None


def _timestamp(message: dict):
    for name in ("timestamp", "originalTimestamp", "sentAt", "receivedAt"):
        if message.get(name):
            return message[name]
    return timezone.now()


def _iso_time(value) -> bool:
    """An ISO 8601 date-time string (the message's own time fields; events_store checks the
    range of the one it stores)."""
    if not isinstance(value, str) or not value:
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _validate(messages: Sequence, default_type: str | None) -> list[dict]:
    errors: list[dict] = []
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            errors.append({"index": index, "field": None, "reason": "must be a JSON object"})
            continue
        kind = message.get("type", default_type)
        if not isinstance(kind, str) or kind not in TYPES:
            errors.append({"index": index, "field": "type", "reason": f"must be one of {', '.join(sorted(TYPES))}"})
            continue
        message["type"] = kind
        context = message.get("context")
        if context is not None and not isinstance(context, dict):
            errors.append({"index": index, "field": "context", "reason": "must be an object"})
        context = context or {}
        for name in ("traits", "properties"):
            if message.get(name) is not None and not isinstance(message[name], dict):
                errors.append({"index": index, "field": name, "reason": "must be an object"})
        for name in ("timestamp", "originalTimestamp", "sentAt", "receivedAt"):
            if message.get(name) is not None and not _iso_time(message[name]):
                errors.append({"index": index, "field": name, "reason": "is not an ISO 8601 date-time"})
        for name in ("anonymousId", "event", "name", "messageId"):
            value = message.get(name)
            if value is not None and not (isinstance(value, str) and value):
                errors.append({"index": index, "field": name, "reason": "must be a non-empty string"})
        if message.get("userId") is not None and _str_id(message["userId"]) is None:
            errors.append({"index": index, "field": "userId", "reason": "must be a string of 1-191 characters"})
        if kind == "identify" and _str_id(message.get("userId")) is None and not message.get("anonymousId"):
            errors.append({"index": index, "field": "userId", "reason": "identify needs a userId or anonymousId"})
        if kind != "group" and message.get("groupId") is not None and _str_id(message["groupId"]) is None:
            errors.append({"index": index, "field": "groupId", "reason": "must be a string of 1-191 characters"})
        if kind == "group" and _str_id(message.get("groupId")) is None:
            errors.append({"index": index, "field": "groupId", "reason": "is required (the account's external id)"})
        if kind == "track" and not (isinstance(message.get("event"), str) and message["event"].strip()):
            errors.append({"index": index, "field": "event", "reason": "is required"})
        if isinstance(context, dict) and context.get("groupId") is not None and _str_id(context["groupId"]) is None:
            errors.append(
                {"index": index, "field": "context.groupId", "reason": "must be a string of 1-191 characters"}
            )
    return errors


def _seen_at(message: dict):
    value = _timestamp(message)
    if isinstance(value, datetime):
        return value
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def tracking_messages_store(
    messages: Sequence, *, default_type: str | None = None, identity_changes: bool = True
) -> TrackingResult:
    """Apply Segment messages, all or nothing (see the module docstring). Raises TrackingError.

    `identity_changes=False` (an ingest-scoped key): unknown accounts and contacts are created,
    existing ones keep their identity: an account's name, domain and industry, a contact's
    account and e-mail are only filled while empty (docs/api.md)."""
    errors = _validate(messages, default_type)
    if errors:
        raise TrackingError(errors)
    for attempt in range(CONFLICT_ATTEMPTS):
        try:
            with transaction.atomic():
                return _store(messages, identity_changes)
        except TrackingConflict:
            # another request created one of the same new accounts or contacts first: again,
            # now finding it (usage.tracking_upserts)
            if attempt == CONFLICT_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def tracking_upserts_apply(messages: Sequence, identity_changes: bool) -> TrackingRecords | None:
    """The identify and group messages (dicts with `type`, `userId`, `groupId`, `traits`,
    `context` and the time fields), in order, a batch at a time (usage.tracking_upserts);
    None if there are none. The contacts' new last_seen_at go after commit."""
    upserts = [m for m in messages if m["type"] == "group" or (m["type"] == "identify" and _str_id(m.get("userId")))]
    if not upserts:
        return None
    account_ids, contact_ids = set(), set()
    for message in upserts:
        contact_ids.add(_str_id(message.get("userId")))
        group_id = _str_id(
            message.get("groupId") if message["type"] == "group" else (message.get("context") or {}).get("groupId")
        )
        account_ids.add(group_id)
    records = TrackingRecords(account_ids=account_ids - {None}, contact_ids=contact_ids - {None})
    for message in upserts:
        context = message.get("context") or {}
        user_id = _str_id(message.get("userId"))
        if message["type"] == "group":
            account = records.account_upsert(
                _str_id(message["groupId"]), message.get("traits") or {}, identity_changes=identity_changes
            )
            if user_id:
                records.contact_upsert(user_id, {}, account, _seen_at(message), identity_changes=identity_changes)
        else:
            group_id = _str_id(context.get("groupId"))
            account = records.account_upsert(group_id, {}) if group_id else None
            traits = message.get("traits") or context.get("traits") or {}
            records.contact_upsert(user_id, traits, account, _seen_at(message), identity_changes=identity_changes)
    records.save()
    contacts_seen_soon(records.seen)
    return records


def _store(messages: Sequence, identity_changes: bool) -> TrackingResult:
    result = TrackingResult(messages=len(messages))

    # 1. group and identify, in order, a batch at a time.
    for message in messages:
        if message["type"] == "group":
            result.accounts_upserted += 1
            result.contacts_upserted += 1 if _str_id(message.get("userId")) else 0
        elif message["type"] == "identify" and _str_id(message.get("userId")):
            result.contacts_upserted += 1
    tracking_upserts_apply(messages, identity_changes)

    # 2. events: resolve accounts and contacts for the whole batch at once. Each message's
    # userId and context.groupId are read once: (index, message, user id, group id).
    events = []
    for index, message in enumerate(messages):
        if message["type"] in EVENT_TYPES:
            context = message.get("context") or {}
            events.append((index, message, _str_id(message.get("userId")), _str_id(context.get("groupId"))))
    if not events:
        return result
    user_ids = sorted({user_id for _, _, user_id, _ in events} - {None})
    group_ids = sorted({group_id for _, _, _, group_id in events} - {None})
    # (id, account_id) by external id: plain tuples, no model instances for a 1,000-message batch
    contacts = {ext: (pk, account_id) for ext, pk, account_id in _in(Contact, user_ids, "id", "account_id")}
    accounts = {ext: pk for ext, pk in _in(Account, group_ids, "id")}
    new_accounts = [Account(external_id=g, name=g) for g in group_ids if g not in accounts]
    if new_accounts:
        # ON CONFLICT DO NOTHING: a concurrent request may create the same account; read the ids back.
        Account.objects.bulk_create(new_accounts, ignore_conflicts=True)
        accounts.update({ext: pk for ext, pk in _in(Account, [a.external_id for a in new_accounts], "id")})
        result.accounts_upserted += len(new_accounts)

    rows, new_contacts, bad = [], {}, []
    for index, message, user_id, group_id in events:
        contact = contacts.get(user_id) if user_id else None
        account_id = accounts.get(group_id) if group_id else (contact[1] if contact else None)
        if account_id is None:
            bad.append(
                {
                    "index": index,
                    "field": "context.groupId",
                    "reason": "cannot tell the account: send context.groupId, or a group call for this userId first",
                }
            )
            continue
        if user_id and contact is None and user_id not in new_contacts:
            new_contacts[user_id] = Contact(external_id=user_id, account_id=account_id)
        kind = message["type"]
        properties = message.get("properties") or {}
        if kind == "track":
            name = message["event"].strip()
        else:
            properties = dict(properties)
            name = "Page Viewed" if kind == "page" else "Screen Viewed"
            if message.get("name"):
                properties.setdefault("name", message["name"])
            if message.get("category"):
                properties.setdefault("category", message["category"])
        rows.append(
            {
                "_row": index,
                "account_id": account_id,
                "contact": user_id,
                "event": name[:128],
                "occurred_at": _timestamp(message),
                "properties": properties,
                "message_id": message.get("messageId"),
            }
        )
    if bad:
        raise TrackingError(bad)
    if new_contacts:
        Contact.objects.bulk_create(list(new_contacts.values()), ignore_conflicts=True)  # as accounts above
        contacts.update(
            {ext: (pk, account_id) for ext, pk, account_id in _in(Contact, list(new_contacts), "id", "account_id")}
        )
        result.contacts_upserted += len(new_contacts)
    for row in rows:
        if row["contact"] is not None:
            row["contact_id"] = contacts[row.pop("contact")][0]
    try:
        stored = events_store(rows, ids_checked=True)  # read above, in this transaction
    except IngestError as exc:
        raise TrackingError(
            [{"index": e["row"], "field": _segment_field(e["field"]), "reason": e["reason"]} for e in exc.errors]
        ) from exc
    result.events_stored, result.duplicates = stored.stored, stored.duplicates
    _last_seen_update(events, contacts)
    return result


def _in(model, values: list[str], *columns: str) -> list[tuple]:
    """(external_id, *columns) of the rows whose external id is in `values` (usage.sql.lookups)."""
    return lookups.external_id_rows(model, values, *columns)


def _segment_field(name: str | None) -> str | None:
    return {
        "occurred_at": "timestamp",
        "message_id": "messageId",
        "contact": "userId",
        "account": "context.groupId",
    }.get(name, name)


def _last_seen_update(events, contacts: dict) -> None:
    """Contacts' last_seen_at moves forward to their latest event, after commit (contacts_seen_soon)."""
    latest: dict[int, datetime] = {}
    for _, message, user_id, _ in events:
        seen = _seen_at(message) if user_id else None
        if user_id and seen and user_id in contacts:
            pk = contacts[user_id][0]
            if pk not in latest or seen > latest[pk]:
                latest[pk] = seen
    contacts_seen_soon(latest)


def contacts_seen_soon(latest: dict[int, datetime | str]) -> None:
    """Queue, for after commit, the move of these contacts' last_seen_at to these times
    ({contact id: datetime or ISO text}): a derived value, like the daily rollups, written by a
    worker (inline in the embedded mode), not in the request (docs/decisions.md "Segment
    /v1/batch: decoded and streamed like the bulk body")."""
    if not latest:
        return
    from .tasks import contacts_seen_update_task

    payload = {str(pk): at if isinstance(at, str) else at.isoformat() for pk, at in latest.items()}
    transaction.on_commit(lambda: contacts_seen_update_task.delay(payload))
