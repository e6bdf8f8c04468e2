"""Usage events in: the single write path for UsageEvent.

`events_store(rows)` is used by POST /api/v1/events/bulk, the Segment-compatible /v1/track and
/v1/batch, and anything else that records product usage. (The bulk endpoint first offers its
body to `usage.ingest.decoded`, which stores the common case of new events decoded by
msgspec and hands anything else back, untouched, for this module to decide.) One call is one transaction:
either every row is valid and stored (repeats skipped), or `IngestError` lists each bad row and
nothing is written.

A row is a mapping with
    account       the account's external id (or `account_id`, our id, for internal callers)
    contact       optional, the contact's external id (or `contact_id`)
    event         the event name, 1-128 characters
    occurred_at   ISO 8601 (a datetime for internal callers); without an offset it is UTC
    properties    optional JSON object
    message_id    optional, up to 128 characters; stored once per UTC day of the event, across
                  batches (a resend repeats the event's time: `message_key`)
    _row          optional, the row number to report in errors (default: position from 1)

Unknown accounts or contacts: the row is refused (docs/decisions.md "Unknown accounts in
event ingestion"); accounts and contacts are created through their own endpoints, `group`
and `identify`.

How it is stored (docs/decisions.md "Usage events table", "Ingest: one tight check, then
COPY"): the common case (plain JSON types, nothing to strip, an ISO time) is checked in one tight
loop (`_validate_plain`, a strict subset of `_validate` with the same values); any other batch
goes through `_validate`, which accepts the rest or reports every bad row. On PostgreSQL the
external ids are resolved from this process's id cache (`_id_maps`; outside a transaction),
else with one hash join per kind; new events are COPYed as text, each with its message key
(`message_key`), which a unique index on each month partition keeps unique. A key stored
before fails that COPY: the batch rolls back and is stored the way a batch with repeats is: its
stored keys found with one indexed lookup, then one COPY of the rows to keep; a concurrent
batch that stored one of them first makes that COPY fail, and the batch is then stored through
`INSERT ... ON CONFLICT DO NOTHING RETURNING`, in key order, which waits. On SQLite, the
stored keys looked up, then bulk inserts. After commit, the daily rollups of the touched
(account, day) pairs are refreshed by a Celery task (`usage_rollup_refresh_task`; inline in
the embedded mode) and `events_ingested` is sent.

The package, one idea a module:
    batch      the events table, limits, IngestResult and IngestError
    validate   the row checks (`_validate`, and the tight `_plain_rows`)
    ids        external ids to ids (usage.sql.lookups, usage.sql.idcache)
    keys       message keys and their backfill
    store      `events_store`, the one entry point; PostgreSQL's write paths are in usage.sql.events
    notify     the rollup refresh queued after commit
    decoded    the bulk body decoded by msgspec (PostgreSQL)
Month partitions: usage.sql.partitions (`usage_partitions_ensure`, re-exported here).
"""

from ..sql.lookups import LIST_SEPARATOR
from ..sql.partitions import usage_partitions_ensure
from .batch import (
    COPY_COLUMNS,
    EVENTS_TABLE,
    FUTURE_TOLERANCE,
    MAX_ERRORS_REPORTED,
    PG_COPY_SIGNATURE,
    PG_COPY_TRAILER,
    IngestError,
    IngestResult,
)
from .keys import DAY_BIAS, MESSAGE_KEY_SQL, day_top, message_key, usage_event_keys_backfill
from .store import events_store

__all__ = [
    "COPY_COLUMNS",
    "DAY_BIAS",
    "EVENTS_TABLE",
    "FUTURE_TOLERANCE",
    "LIST_SEPARATOR",
    "MAX_ERRORS_REPORTED",
    "MESSAGE_KEY_SQL",
    "PG_COPY_SIGNATURE",
    "PG_COPY_TRAILER",
    "IngestError",
    "IngestResult",
    "day_top",
    "events_store",
    "message_key",
    "usage_event_keys_backfill",
    "usage_partitions_ensure",
]
