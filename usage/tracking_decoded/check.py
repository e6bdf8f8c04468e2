"""Each decoded Segment message checked as usage.tracking checks it, but stricter, and turned
into the rest of its events COPY line (usage.tracking_decoded)."""

from datetime import UTC, date, datetime

import orjson

from core.api.parsers import MAX_DEPTH, JSONBodyError, json_check

from ..ingest.keys import day_top, fast_md5
from ..sql.events import _copy_text
from ..tracking import TYPES
from .decode import SegmentMessage

NULL = "\\N"  # COPY's null


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


def _canonical_utc(at: str) -> bool:
    """ISO text that isoformat() of its UTC time would give unchanged (or that PostgreSQL reads
    as the same instant): YYYY-MM-DDTHH:MM:SS, no or 1-6 decimals, then +00:00 (usage.ingest.decoded)."""
    n = len(at)
    return (
        n >= 25
        and at[10] == "T"
        and at[4] == at[7] == "-"
        and at[13] == at[16] == ":"
        and at[-6:] == "+00:00"
        and (n == 25 or 27 <= n <= 32 and at[19] == ".")
        and at.isascii()
    )


def _checked(messages: list[SegmentMessage], latest: datetime, now: datetime):
    """Split the batch into identify / group messages (in order) and events, checking each the
    way usage.tracking._validate does (stricter; msgspec checked the types and lengths). Each
    event is a list [user id, group id, UTC day, the rest of its COPY line from the event name
    on (escaped, with its message key), message key or None, UTC time as ISO text]. Raises
    _NotCommon."""
    upserts, events = [], []
    append_event = events.append
    now_text = now.astimezone(UTC).isoformat()
    parse = datetime.fromisoformat
    from_bytes = int.from_bytes
    tops: dict[str, int] = {}
    for m in messages:
        kind = m.type
        user_id = m.userId
        if user_id is not None:
            if type(user_id) is int:
                user_id = str(user_id)
            elif user_id.strip() != user_id:
                raise _NotCommon
        context = m.context
        group_id = None
        if context is not None:
            group_id = context.groupId
            if group_id is not None:
                if type(group_id) is int:
                    group_id = str(group_id)
                elif group_id.strip() != group_id:
                    raise _NotCommon
        if m.groupId is not None and _ref(m.groupId) is None:
            raise _NotCommon
        text = m.timestamp
        try:  # each given time must be ISO 8601; the first one is the event's
            moment = None if text is None else parse(text)
            for other in (m.originalTimestamp, m.sentAt, m.receivedAt):
                if other is not None:
                    other_moment = parse(other)
                    if moment is None:
                        moment, text = other_moment, other
        except ValueError:
            raise _NotCommon from None
        if kind == "track":
            name = m.event
            if name is None or name.strip() != name:
                raise _NotCommon
        elif kind == "page" or kind == "screen":
            name = "Page Viewed" if kind == "page" else "Screen Viewed"
        elif kind in TYPES:
            if kind == "group" and m.groupId is None:
                raise _NotCommon
            if kind == "identify" and user_id is None and m.anonymousId is None:
                raise _NotCommon
            for traits in (m.traits, context.traits if context is not None else None):
                if traits is not None and _flat_json(traits, MAX_DEPTH - 3) is None:
                    raise _NotCommon
            upserts.append(m)
            continue
        else:
            raise _NotCommon
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
            if moment.year < 1990:
                raise _NotCommon
            offset = moment.utcoffset()
            if offset is None:
                moment = moment.replace(tzinfo=UTC)
            elif offset:
                moment = moment.astimezone(UTC)
            if moment > latest:
                raise _NotCommon
            at = text if _canonical_utc(text) else moment.isoformat()
        day = at[:10]
        message_id = m.messageId
        if message_id is None:
            key = None
            tail = f"{_copy_text(name)}\t{at}\t{_copy_text(properties)}\t\\N\t\\N\n"
        else:
            top = tops.get(day)
            if top is None:
                top = tops[day] = day_top(date.fromisoformat(day))
            key = top + from_bytes(fast_md5(message_id.encode()).digest()[:6], "big")
            tail = f"{_copy_text(name)}\t{at}\t{_copy_text(properties)}\t{_copy_text(message_id)}\t{key}\n"
        append_event([user_id, group_id, day, tail, key, at])
    return upserts, events
