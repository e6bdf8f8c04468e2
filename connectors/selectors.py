"""Reads of the connector pages: connections with their last run, a run's failures, a
mapping's preview (10 records through unsaved mappings, nothing written)."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from accounts.models import Account, Contact
from core.db import lookup_by
from renewals.models import Opportunity

from .models import Connection, FieldMapping, SyncRun
from .registry import VendorError, vendor_get
from .targets.base import PageContext, mapped_values, target_fields

__all__ = ["connection_list", "mapping_preview", "PREVIEW_SIZE"]

PREVIEW_SIZE = 10
_MODELS = {"account": Account, "contact": Contact, "opportunity": Opportunity}


def connection_list():
    last = SyncRun.objects.filter(connection=OuterRef("pk")).order_by("-created_at", "-id")
    connections = list(Connection.objects.annotate(last_run_id=Subquery(last.values("pk")[:1])))
    runs = SyncRun.objects.in_bulk([c.last_run_id for c in connections if c.last_run_id])
    for connection in connections:
        # Attributes for the list template, set on each row (not model fields).
        connection.last_run = runs.get(connection.last_run_id)  # type: ignore[attr-defined]
        try:
            connection.vendor_def = vendor_get(connection.kind)  # type: ignore[attr-defined]
        except KeyError:
            connection.vendor_def = None  # type: ignore[attr-defined]
    return connections


def mapping_preview(*, connection: Connection, object_key: str, rows: list[tuple[str, str, str]]) -> dict:
    """The first PREVIEW_SIZE records of the object as the mappings `rows` would write them:
    {"columns": our fields, "records": [{"id", "values", "error", "action"}]} (or {"error"})."""
    vendor = vendor_get(connection.kind)
    spec = vendor.object(object_key)
    mappings = [
        FieldMapping(connection=connection, object_key=object_key, remote_field=r, local_field=loc, direction=d)
        for r, loc, d in rows
    ]
    fields = target_fields(spec.target)
    try:
        client = vendor.client_factory(connection)
        fetch = getattr(client, "sample", None)
        if fetch is not None:
            records = fetch(object_key, PREVIEW_SIZE, fields=[m.remote_field for m in mappings])
        else:
            records = client.fetch_page(object_key, cursor=None, since=None).records
    except VendorError as exc:
        return {"error": str(exc)}
    records = records[:PREVIEW_SIZE]
    ctx = PageContext(
        connection=connection, spec=spec, mappings=mappings, run=SyncRun(), dry_run=True, last_synced_at=None
    )
    model = _MODELS.get(spec.target)
    existing = (
        lookup_by(model._default_manager.all(), "external_id", [ctx.ext(r.id) for r in records])
        if model is not None
        else {}
    )
    columns = list(
        dict.fromkeys(m.local_field for m in mappings if fields.get(m.local_field) and fields[m.local_field].pull)
    )
    out = []
    for record in records:
        item = {"id": record.id, "values": [], "error": "", "action": ""}
        try:
            values = mapped_values(
                ctx, record, fields, entity=spec.target if spec.target in ("account", "contact") else None
            )
        except ValueError as exc:
            item["error"] = str(exc)
        else:
            custom = values.get("custom_fields") or {}
            item["values"] = [
                custom.get(c.removeprefix("custom:")) if c.startswith("custom:") else values.get(c) for c in columns
            ]
            item["action"] = "update" if ctx.ext(record.id) in existing else "create"
        out.append(item)
    labels = [str(fields[c].label) for c in columns]
    return {"columns": labels, "records": out}
