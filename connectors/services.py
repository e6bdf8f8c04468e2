"""Writes of the connectors app: connections (with their vendor's default mappings), mappings,
and starting runs (a Celery task after commit; eager in the embedded mode)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import AuthKind, ConnectionStatus, Direction, RunStatus
from .models import Connection, FieldMapping, SyncCursor, SyncRun
from .registry import VENDORS, vendor_get
from .targets.base import target_fields

__all__ = [
    "connection_create",
    "connection_credentials_set",
    "connection_update",
    "connections_due",
    "mappings_set",
    "sync_failures_retry",
    "sync_start",
]


def _check_url(url: str) -> str:
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError({"base_url": _("Enter an http(s) URL.")}) from None
    return url.rstrip("/")


@transaction.atomic
def connection_create(
    *,
    kind: str,
    name: str,
    base_url: str = "",
    token: str = "",
    credentials: dict | None = None,
    options: dict | None = None,
    auth: str = AuthKind.TOKEN,
) -> Connection:
    """A new connection with its vendor's default mappings. `token` stands for a private-app or
    API token; OAuth connections get their tokens from the authorisation flow."""
    if kind not in VENDORS:
        kinds = ", ".join(sorted(VENDORS))
        raise ValidationError({"kind": _("Unknown kind: choose one of %(kinds)s.") % {"kinds": kinds}})
    vendor = vendor_get(kind)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("This field is required.")})
    if Connection.objects.filter(name=name).exists():
        raise ValidationError({"name": _("A connection with this name exists.")})
    creds = dict(credentials or {})
    if token:
        creds["token"] = token.strip()
    if auth == AuthKind.TOKEN and not creds.get("token"):
        raise ValidationError({"token": _("This field is required.")})
    connection = Connection(
        kind=kind,
        name=name,
        base_url=_check_url(base_url or vendor.default_base_url),
        auth=auth,
        options=dict(options or {}),
        status=ConnectionStatus.ACTIVE
        if creds.get("token") or creds.get("access_token")
        else ConnectionStatus.NEEDS_AUTH,
    )
    connection.credentials = creds
    connection.save()
    FieldMapping.objects.bulk_create(
        FieldMapping(connection=connection, object_key=spec.key, remote_field=remote, local_field=local, direction=d)
        for spec in vendor.objects
        for remote, local, d in spec.default_mappings
    )
    return connection


def connection_update(*, connection: Connection, **values) -> Connection:
    allowed = {"name", "base_url", "options", "deletions", "interval_minutes", "status"}
    for name, value in values.items():
        if name not in allowed:
            raise ValidationError({name: _("Unknown field.")})
        if name == "base_url":
            value = _check_url(value)
        setattr(connection, name, value)
    connection.save(update_fields=sorted(values))
    return connection


def connection_credentials_set(*, connection: Connection, credentials: dict) -> Connection:
    """Store new credentials (a refreshed token, a new authorisation) and mark the connection active."""
    connection.credentials = {**connection.credentials, **credentials}
    connection.status, connection.status_reason = ConnectionStatus.ACTIVE, ""
    connection.save(update_fields=["credentials_encrypted", "status", "status_reason"])
    return connection


@transaction.atomic
def mappings_set(
    *, connection: Connection, object_key: str, rows: Iterable[tuple[str, str, str]]
) -> list[FieldMapping]:
    """Replace one object's mappings with `rows` ((remote field, local field, direction))."""
    vendor = vendor_get(connection.kind)
    try:
        spec = vendor.object(object_key)
    except KeyError:
        raise ValidationError({"object_key": _("Unknown object.")}) from None
    fields = target_fields(spec.target)
    errors: dict[str, list[str]] = {}
    clean = []
    for i, (remote, local, direction) in enumerate(rows):
        remote, local = (remote or "").strip(), (local or "").strip()
        if not remote and not local:
            continue
        field = fields.get(local)
        if not remote:
            errors.setdefault(f"remote_{i}", []).append(_("Name the vendor's field."))
        elif field is None:
            errors.setdefault(f"local_{i}", []).append(_("Unknown field: %(name)s.") % {"name": local})
        elif direction not in Direction.values:
            errors.setdefault(f"direction_{i}", []).append(_("Choose pull, push or both."))
        elif direction != Direction.PULL and (not field.push or not spec.pushable):
            errors.setdefault(f"direction_{i}", []).append(_("This field can only be pulled."))
        elif direction != Direction.PUSH and not field.pull:
            errors.setdefault(f"direction_{i}", []).append(_("This field can only be pushed."))
        else:
            clean.append((remote, local, direction))
    if errors:
        raise ValidationError(errors)
    FieldMapping.objects.filter(connection=connection, object_key=object_key).delete()
    return FieldMapping.objects.bulk_create(
        FieldMapping(connection=connection, object_key=object_key, remote_field=r, local_field=loc, direction=d)
        for r, loc, d in dict.fromkeys(clean)
    )


def _enqueue(run: SyncRun) -> SyncRun:
    from .tasks import sync_run_task

    transaction.on_commit(lambda: sync_run_task.delay(run_id=run.pk))
    return run


@transaction.atomic
def sync_start(*, connection: Connection, full: bool = False, dry_run: bool = False) -> SyncRun:
    """Queue a run (one at a time per connection: a queued or running one is returned)."""
    busy = connection.runs.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING], dry_run=dry_run).first()
    if busy is not None:
        return busy
    if full and not dry_run:
        SyncCursor.objects.filter(connection=connection).update(state=None)
    return _enqueue(SyncRun.objects.create(connection=connection, full=full, dry_run=dry_run))


@transaction.atomic
def sync_failures_retry(*, run: SyncRun) -> SyncRun:
    if not run.failures.filter(resolved_at__isnull=True).exists():
        raise ValidationError(_("This run has no failures left to retry."))
    return _enqueue(SyncRun.objects.create(connection=run.connection, retry_of=run))


def connections_due(*, now=None) -> list[SyncRun]:
    """Start the scheduled incremental runs that are due (Celery beat calls this each minute)."""
    now = now or timezone.now()
    due = Connection.objects.filter(status=ConnectionStatus.ACTIVE, interval_minutes__gt=0).filter(
        Q(next_sync_at__isnull=True) | Q(next_sync_at__lte=now)
    )
    runs = []
    for connection in due:
        connection.next_sync_at = now + timedelta(minutes=connection.interval_minutes)
        connection.save(update_fields=["next_sync_at"])
        runs.append(sync_start(connection=connection))
    return runs
