"""A /v1/batch body decoded by msgspec into the fields usage.tracking reads (usage.tracking_decoded)."""

from datetime import datetime
from typing import Annotated

import msgspec

from core.api.parsers import MAX_DEPTH, NUL_ESCAPE
from core.db import is_postgresql

__all__ = ["SegmentMessage", "segment_batch_decode"]


# What usage.tracking takes, checked while msgspec decodes: an id of 1-191 characters (or a
# number), a non-empty string, an event name or message id of at most 128.
Id = Annotated[str, msgspec.Meta(min_length=1, max_length=191)] | int | None
Text = Annotated[str, msgspec.Meta(min_length=1)] | None
Short = Annotated[str, msgspec.Meta(min_length=1, max_length=128)] | None


class _Context(msgspec.Struct, gc=False):
    groupId: Id = None  # noqa: N815
    traits: dict | None = None


class SegmentMessage(msgspec.Struct, gc=False):
    """The fields of a Segment message that usage.tracking reads, with exact JSON types."""

    type: str | None = None
    userId: Id = None  # noqa: N815
    anonymousId: Text = None  # noqa: N815
    groupId: Id = None  # noqa: N815
    event: Short = None
    name: Text = None
    category: str | None = None
    messageId: Short = None  # noqa: N815
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

_NOT_BRACKETS = bytes(range(256)).translate(None, b"{}[]")  # deleted: only the brackets remain


def _depth_bound_ok(body: bytes) -> bool:
    """The body's brackets nest at most core.api.parsers.MAX_DEPTH deep: each pass deletes the
    innermost pairs, so a body of depth d is empty after d passes (C speed: a few passes over
    a few thousand brackets). Brackets inside strings count too: exact for ordinary bodies, and
    a body whose strings unbalance them is left to the general path. What this path keeps
    (properties, traits) is bounded again by its own brackets (check._flat_json)."""
    brackets = body.translate(None, _NOT_BRACKETS)
    for _ in range(MAX_DEPTH):
        if not brackets:
            return True
        shorter = brackets.replace(b"{}", b"").replace(b"[]", b"")
        if len(shorter) == len(brackets):
            return False  # unbalanced
        brackets = shorter
    return not brackets


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
