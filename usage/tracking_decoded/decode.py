"""A /v1/batch body decoded by msgspec into the fields usage.tracking reads (usage.tracking_decoded)."""

from datetime import datetime
from itertools import accumulate
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
