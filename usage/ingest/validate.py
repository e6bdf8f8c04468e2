"""The checks of incoming rows: `_validate` accepts or reports every row; `_plain_rows`, the
common case in one tight loop, is a strict subset of it with the same values."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

import orjson
from django.utils import timezone

from .batch import FUTURE_TOLERANCE


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
