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

The package, one idea a module:
    decode   the body into SegmentMessage structs (msgspec), the nesting bound
    check    each message checked and turned into the rest of its COPY line
    store    `segment_batch_store`: streamed when every reference is known, else in two passes
The COPY and the stored-key lookup are in usage.sql.events.
"""

from .decode import SegmentMessage, segment_batch_decode
from .store import segment_batch_store

__all__ = ["SegmentMessage", "segment_batch_decode", "segment_batch_store"]
