"""`events_store(rows)`: validate and store usage events, all or nothing (usage.ingest)."""

import json
from collections.abc import Iterable, Mapping
from datetime import UTC

from django.db import IntegrityError, OperationalError, connection, transaction

from core.db import is_postgresql

from ..models import UsageEvent
from ..signals import events_ingested
from ..sql.events import _conflict, _insert_postgres, _store_postgres_plain, _store_postgres_stream
from ..sql.partitions import usage_partitions_ensure
from .batch import IngestError, IngestResult
from .ids import _resolve, _resolve_plain
from .keys import _stored_keys_sqlite, message_key
from .notify import _rollups_add
from .validate import _Row, _validate, _validate_plain


def _insert_sqlite(rows: list[_Row]) -> None:
    UsageEvent.objects.bulk_create(
        [
            UsageEvent(
                account_id=r.account,
                contact_id=r.contact,
                event=r.event,
                occurred_at=r.occurred_at,
                properties=json.loads(r.properties),
                message_id=r.message_id,
                message_key=r.key,
            )
            for r in rows
        ],
        batch_size=500,
    )


def events_store(rows: Iterable[Mapping], *, stream: bool = True, ids_checked: bool = False) -> IngestResult:
    """Validate and store usage events, all or nothing (see the module docstring).

    Raises IngestError (nothing written) when any row is invalid or names an unknown account
    or contact. Returns how many rows came in, were stored, and were repeats. `stream=False`
    skips the streamed path, for a caller that already tried these rows that way
    (usage.ingest.decoded). `ids_checked=True`: rows that name accounts and contacts by id
    (`account_id`, `contact_id`) name ones the caller read in the current transaction, so the
    streamed path does not look them up again (usage.tracking)."""
    rows = rows if isinstance(rows, list) else list(rows)
    if rows and is_postgresql():
        try:
            streamed = _store_postgres_stream(rows, ids_checked=ids_checked) if stream else None
        except (IntegrityError, OperationalError) as exc:
            if not _conflict(exc):
                raise
            streamed = None  # a message id stored before: the path below looks the keys up first
        if streamed is not None:
            stored, account_ids = streamed
            return IngestResult(
                received=len(rows), stored=stored, duplicates=len(rows) - stored, account_ids=account_ids
            )
        checked = _validate_plain(rows)
        resolved = _resolve_plain(checked[0]) if checked else None
        if resolved is not None:
            try:
                stored, account_ids = _store_postgres_plain(resolved, checked[1])
            except (IntegrityError, OperationalError) as exc:
                if not _conflict(exc):
                    raise
                # a concurrent batch stored one of the same new keys first: the path below waits
            else:
                return IngestResult(
                    received=len(rows), stored=stored, duplicates=len(rows) - stored, account_ids=account_ids
                )
    errors: list[dict] = []
    valid, received = _validate(rows, errors)
    result = IngestResult(received=received)
    if valid:
        valid = _resolve(valid, errors)
        for row in valid:
            if row.message_id:
                row.key = message_key(row.message_id, row.occurred_at.astimezone(UTC).date())
    if errors:
        errors.sort(key=lambda e: e["row"] if isinstance(e["row"], int) else 0)
        raise IngestError(errors)

    # Repeats inside the batch: keep the first row of each message id.
    seen: set[int] = set()
    unique: list[_Row] = []
    for row in valid:
        if row.key is not None:
            if row.key in seen:
                continue
            seen.add(row.key)
        unique.append(row)

    postgres = is_postgresql()
    if postgres:
        usage_partitions_ensure(months={r.occurred_at.astimezone(UTC) for r in unique})
    with transaction.atomic():
        if postgres:
            with connection.cursor() as cursor:
                to_write = _insert_postgres(cursor, unique)
        else:
            stored = _stored_keys_sqlite(sorted(seen))
            to_write = [r for r in unique if r.key is None or r.key not in stored]
            if to_write:
                _insert_sqlite(to_write)
        pairs = {(r.account, r.occurred_at.astimezone(UTC).date()) for r in to_write}
        _rollups_add((r.account, r.occurred_at.astimezone(UTC).date(), r.event, r.contact) for r in to_write)
        account_ids = sorted({a for a, _ in pairs})
        if account_ids:
            transaction.on_commit(lambda: events_ingested.send(sender=UsageEvent, account_ids=account_ids))
    result.stored = len(to_write)
    result.duplicates = len(valid) - len(to_write)
    result.account_ids = account_ids
    return result
