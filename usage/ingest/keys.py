"""Message keys: a repeated `message_id` is stored once per UTC day of its event (see
`message_key`), and events written around the ingest paths get their keys afterwards."""

from datetime import UTC, date
from functools import partial
from hashlib import md5

from core.db import chunked, is_postgresql

from ..models import UsageEvent

DAY_BIAS = 32768  # the UTC day number (since 1970-01-01) less this is the key's signed top 16 bits

_UNIX_ORDINAL = date(1970, 1, 1).toordinal()


try:  # CPython's own MD5 (HACL*): ~40% quicker than OpenSSL's for an id of a few bytes, same digest
    from _md5 import md5 as fast_md5
except ImportError:  # a build without it
    fast_md5 = partial(md5, usedforsecurity=False)


def day_top(day: date) -> int:
    """The top 16 bits of the message keys of a UTC day, in place: `message_key` adds the hash."""
    return (day.toordinal() - _UNIX_ORDINAL - DAY_BIAS) << 48


def message_key(message_id: str, day: date) -> int:
    """The 64-bit dedupe key of a message id on the UTC day of its event: that day (days since
    1970-01-01, less DAY_BIAS) in the top 16 bits, the first 6 bytes of the id's MD5 below.

    A message id counts once per UTC day of its event: a resend repeats the event's own time,
    so its key is the same. Leading with the day keeps the key index's inserts where time
    goes (a batch of recent events touches the index's last few pages, not 10,000 random ones
    across the whole history: docs/decisions.md "Usage events table"), and a key can only be in
    its event's month, so a unique index per month partition makes it unique over the table.
    MD5 (not for security: a spread of ids) because PostgreSQL computes the same key in SQL
    (MESSAGE_KEY_SQL), so keys of COPYed data can be backfilled set-based."""
    digest = fast_md5(message_id.encode()).digest()
    return day_top(day) + int.from_bytes(digest[:6], "big")


# The same key in PostgreSQL, for columns named message_id and occurred_at.
MESSAGE_KEY_SQL = (
    f"(((occurred_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01' - {DAY_BIAS})::bigint * 281474976710656 "
    "+ ('x' || substr(md5(message_id), 1, 12))::bit(48)::bigint)"
)


def usage_event_keys_backfill() -> int:
    """Give the events written without events_store (e.g. a seed's COPY that left
    `message_key` empty) their dedupe keys, so that a later resend of their message ids is
    recognised. The first row of a key gets it; a later row with the same key (a repeat) keeps
    none. Returns keys set."""
    if is_postgresql():
        from ..sql.events import message_keys_backfill_postgresql  # the seam imports this module

        return message_keys_backfill_postgresql()
    missing = UsageEvent.objects.filter(message_key=None).exclude(message_id=None).order_by("id")
    keyed: dict[int, UsageEvent] = {}
    for event in missing.only("id", "message_id", "occurred_at"):
        event.message_key = message_key(event.message_id, event.occurred_at.astimezone(UTC).date())
        keyed.setdefault(event.message_key, event)
    stored = _stored_keys_sqlite(sorted(keyed))
    changed = [event for key, event in keyed.items() if key not in stored]
    UsageEvent.objects.bulk_update(changed, ["message_key"], batch_size=500)
    return len(changed)


def _stored_keys_sqlite(keys: list[int]) -> set[int]:
    stored: set[int] = set()
    for chunk in chunked(keys):
        stored.update(UsageEvent.objects.filter(message_key__in=chunk).values_list("message_key", flat=True))
    return stored
