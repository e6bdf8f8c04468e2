"""Remote contacts → our contacts (`accounts.records.contacts_upsert`), each on the account
its company link names (none when the company is unknown to us)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import Account, Contact
from accounts.records import contact_delete, contacts_upsert
from core.db import lookup_by

from ..choices import Deletions
from ..fields import local_fields
from .base import (
    PageContext,
    Target,
    classify,
    conflicts_resolve,
    mapped_values,
    needs_current,
    register_target,
    write_isolated,
)

__all__ = ["contacts_write"]


def contacts_write(ctx: PageContext, records) -> None:
    fields = local_fields("contact")
    # Ours are needed for a dry run's counts, deletions and the both-ways rule; otherwise the
    # upsert looks them up itself (one query per page, not two).
    needed = ctx.dry_run or needs_current(ctx) or any(r.deleted or r.merged_into for r in records)
    existing = lookup_by(Contact.objects.all(), "external_id", [ctx.ext(r.id) for r in records]) if needed else {}
    accounts = lookup_by(
        Account.objects.only("pk", "external_id"),
        "external_id",
        [ctx.ext(r.links.get("account")) for r in records if r.links.get("account")],
    )
    items: list[tuple[str, dict]] = []
    for record in records:
        ext = ctx.ext(record.id)
        current = existing.get(ext)
        if record.deleted or record.merged_into:
            if current is not None:
                if ctx.connection.deletions == Deletions.DELETE:
                    if not ctx.dry_run:
                        contact_delete(contact=current)
                    ctx.run.deleted += 1
                ctx.log(_("Deleted or merged in the vendor"), record=ext)
            continue
        try:
            values = mapped_values(ctx, record, fields, entity="contact")
        except ValueError as exc:
            ctx.fail(record.id, str(exc))
            continue
        values = conflicts_resolve(ctx, record, values, current)
        link = ctx.ext(record.links.get("account"))
        if link:
            account = accounts.get(link)
            if account is not None:
                values["account"] = account
        items.append((record.id, {"external_id": ext, **values}))
    if ctx.dry_run:
        ctx.count(*classify(existing, items))
        return
    write_isolated(
        ctx,
        items,
        lambda batch: contacts_upsert(items=batch, source=ctx.connection.kind),
        lambda result: ctx.count(result.created, result.updated, result.unchanged),
    )


register_target(Target(key="contact", write=contacts_write))
