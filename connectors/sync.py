"""The sync engine: pull each of a vendor's objects page by page through the target writers,
then push what the mappings send back. Knows no vendor (connectors.registry).

- Resumable: each page is written and the object's cursor saved in one transaction, so a crash
  loses at most the page in flight and the next run starts where this one stopped.
- Incremental: the vendor gets the modified-since mark of the last complete pull (`--full`
  drops it); records at the mark come again and count as unchanged.
- Errors: a revoked token (`AuthFailed`) fails the run with its reason, marks the connection
  as needing authorisation and writes nothing of the page it was fetching; `RateLimited` after
  the bounded retries fails the run (the next resumes); a record we cannot write is a
  `SyncFailure` with its reason, the rest of the page is written.
- Dry run: everything is fetched and compared, nothing is written, cursors stay.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .choices import ConnectionStatus, RunStatus
from .models import Connection, SyncCursor, SyncFailure, SyncRun
from .push import push_all
from .registry import AuthFailed, ObjectSpec, VendorError, vendor_get
from .targets import PageContext, target_get

__all__ = ["sync_run_execute"]

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 1.0  # seconds between saves of a run's counts while it pulls
RUN_FIELDS = [
    "created",
    "updated",
    "unchanged",
    "failed",
    "deleted",
    "pushed",
    "progress_done",
    "progress_total",
    "current_object",
    "log",
]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse(value: str | None) -> datetime | None:
    return parse_datetime(value) if value else None


def _save_failures(ctx: PageContext) -> None:
    if ctx.failures:
        SyncFailure.objects.bulk_create(
            SyncFailure(
                run=ctx.run,
                connection=ctx.connection,
                object_key=ctx.spec.key,
                remote_id=str(remote_id)[:191],
                reason=str(reason),
            )
            for remote_id, reason in ctx.failures
        )
        ctx.failures = []


def _pull(run: SyncRun, client, spec: ObjectSpec, totals: dict) -> datetime | None:
    """Pull one object to its end; returns when its previous pull had ended."""
    connection = run.connection
    target = target_get(spec.target)
    cursor, _created = SyncCursor.objects.get_or_create(connection=connection, object_key=spec.key)
    state = dict(cursor.state or {})
    if state and not run.dry_run and not (run.full and not state.get("full")):
        since = _parse(state.get("since"))  # resume the interrupted pull where it stopped
        page_cursor = state.get("page")
        ctx_log = _("Resumed after an interrupted run")
    else:
        since = None if run.full else cursor.since
        state = {"since": _iso(since), "full": run.full, "started": True}
        page_cursor = None
        ctx_log = ""
    ctx = PageContext(
        connection=connection,
        spec=spec,
        mappings=[m for m in connection.mappings.all() if m.object_key == spec.key],
        run=run,
        dry_run=run.dry_run,
        last_synced_at=cursor.last_synced_at,
        state=state,
    )
    if ctx_log:
        ctx.log(ctx_log)
    run.current_object = spec.key
    high = _parse(state.get("high"))
    saved_at = 0.0
    while True:
        page = client.fetch_page(spec.key, cursor=page_cursor, since=since)
        if page.total is not None and spec.key not in totals:
            totals[spec.key] = page.total
            run.progress_total = sum(totals.values())
        with transaction.atomic():
            target.write(ctx, page.records)
            for record in page.records:
                if record.modified_at and (high is None or record.modified_at > high):
                    high = record.modified_at
            _save_failures(ctx)
            run.progress_done += len(page.records)
            if page.cursor is None or time.monotonic() - saved_at >= PROGRESS_EVERY:
                run.save(update_fields=RUN_FIELDS)  # counts and progress bar, at most once a second
                saved_at = time.monotonic()
            if not run.dry_run:
                state.update(page=page.cursor, high=_iso(high))
                cursor.state = state
                cursor.save(update_fields=["state", "updated_at"])
        if page.cursor is None:
            break
        page_cursor = page.cursor
    with transaction.atomic():
        if target.finish:
            target.finish(ctx)
        _save_failures(ctx)
        run.save(update_fields=RUN_FIELDS)
        if not run.dry_run:
            cursor.state = None
            cursor.since = high or since
            cursor.last_synced_at = timezone.now()
            cursor.save(update_fields=["state", "since", "last_synced_at", "updated_at"])
    return ctx.last_synced_at


def _retry(run: SyncRun, client, vendor) -> None:
    """Fetch again the records the earlier run failed on, and write them."""
    previous = list(SyncFailure.objects.filter(run=run.retry_of, resolved_at__isnull=True))
    by_object: dict[str, list[SyncFailure]] = {}
    for failure in previous:
        by_object.setdefault(failure.object_key, []).append(failure)
    for spec in vendor.objects:
        failures = by_object.get(spec.key)
        if not failures:
            continue
        cursor = SyncCursor.objects.filter(connection=run.connection, object_key=spec.key).first()
        ctx = PageContext(
            connection=run.connection,
            spec=spec,
            mappings=[m for m in run.connection.mappings.all() if m.object_key == spec.key],
            run=run,
            dry_run=run.dry_run,
            last_synced_at=cursor.last_synced_at if cursor else None,
        )
        records = client.fetch_ids(spec.key, [f.remote_id for f in failures])
        with transaction.atomic():
            target_get(spec.target).write(ctx, records)
            still = {str(rid) for rid, _reason in ctx.failures}
            _save_failures(ctx)
            if not run.dry_run:
                SyncFailure.objects.filter(pk__in=[f.pk for f in failures if f.remote_id not in still]).update(
                    resolved_at=timezone.now()
                )
            run.progress_done += len(records)
            run.save(update_fields=RUN_FIELDS)


def sync_run_execute(*, run: SyncRun) -> SyncRun:
    """Run a queued sync to its end (succeeded or failed, with the reason)."""
    connection: Connection = run.connection
    run.status = RunStatus.RUNNING
    run.started_at = timezone.now()
    run.save(update_fields=["status", "started_at"])
    try:
        vendor = vendor_get(connection.kind)
        client = vendor.client_factory(connection)
        if run.retry_of_id:
            _retry(run, client, vendor)
        else:
            totals: dict[str, int] = {}
            previous = {spec.key: _pull(run, client, spec, totals) for spec in vendor.objects}
            run.pushed += push_all(run=run, client=client, vendor=vendor, previous=previous)
        run.status = RunStatus.SUCCEEDED
        run.current_object = ""
        if connection.status == ConnectionStatus.NEEDS_AUTH:
            connection.status, connection.status_reason = ConnectionStatus.ACTIVE, ""
            connection.save(update_fields=["status", "status_reason"])
    except AuthFailed as exc:
        run.status = RunStatus.FAILED
        run.reason = _("The vendor refused our credentials: %(reason)s. Connect again.") % {"reason": exc}
        connection.status, connection.status_reason = ConnectionStatus.NEEDS_AUTH, run.reason
        connection.save(update_fields=["status", "status_reason"])
    except VendorError as exc:
        run.status = RunStatus.FAILED
        run.reason = str(exc)
    except Exception as exc:  # a bug or the database: the run says so instead of hanging "running"
        logger.exception("connector sync %s failed", run.pk)
        run.status = RunStatus.FAILED
        run.reason = _("Internal error: %(error)s") % {"error": exc.__class__.__name__}
        run.finished_at = timezone.now()
        run.save(update_fields=[*RUN_FIELDS, "status", "reason", "finished_at"])
        raise
    run.finished_at = timezone.now()
    run.save(update_fields=[*RUN_FIELDS, "status", "reason", "finished_at"])
    return run
