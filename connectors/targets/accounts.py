"""Remote companies → our accounts, through `accounts.records.accounts_upsert` (so the change
log and every receiver see them as they see the API's). Parent companies become parent
accounts (a parent seen only on a later page is set when the object's pull ends); deletions
and merges as the vendor reports them."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import Account, Contact
from accounts.records import account_delete, accounts_upsert, contacts_upsert, record_update
from core.db import lookup_by

from ..choices import Deletions
from ..fields import local_fields
from .base import (
    PageContext,
    Target,
    classify,
    conflicts_resolve,
    mapped_values,
    owner_of,
    owner_user_ids,
    register_target,
    users_by_id,
    write_isolated,
)

__all__ = ["accounts_finish", "accounts_write"]


def _merge(ctx: PageContext, *, gone_ext: str, survivor_ext: str, existing: dict) -> None:
    """The vendor merged `gone` into `survivor`: with no account of ours for the survivor yet,
    the gone one takes its external id (history kept); otherwise its contacts move to the
    survivor and the gone account is deleted or kept as the connection says."""
    gone = existing.get(gone_ext) or Account.objects.filter(external_id=gone_ext).first()
    if gone is None:
        return
    survivor = existing.get(survivor_ext) or Account.objects.filter(external_id=survivor_ext).first()
    ctx.log(_("Merged %(gone)s into %(survivor)s") % {"gone": gone_ext, "survivor": survivor_ext}, record=gone_ext)
    if ctx.dry_run:
        return
    if survivor is None:
        record_update(instance=gone, values={"external_id": survivor_ext}, source=ctx.connection.kind)
        existing.pop(gone_ext, None)
        existing[survivor_ext] = gone
        return
    contacts = list(Contact.objects.filter(account=gone).only("pk", "external_id"))
    if contacts:
        contacts_upsert(
            items=[{"external_id": c.external_id, "account": survivor} for c in contacts], source=ctx.connection.kind
        )
    if ctx.connection.deletions == Deletions.DELETE:
        account_delete(account=gone)
        ctx.run.deleted += 1
    existing.pop(gone_ext, None)


def _delete(ctx: PageContext, ext: str, existing: dict) -> None:
    account = existing.get(ext)
    if account is None:
        return
    if ctx.connection.deletions == Deletions.DELETE:
        ctx.log(_("Deleted in the vendor: account deleted"), record=ext)
        if not ctx.dry_run:
            account_delete(account=account)
        ctx.run.deleted += 1
    else:
        ctx.log(_("Deleted in the vendor: account kept (the connection keeps deleted records)"), record=ext)


def accounts_write(ctx: PageContext, records) -> None:
    fields = local_fields("account")
    parent_exts = {ctx.ext(r.links.get("parent")) for r in records if r.links.get("parent")}
    merged = {ctx.ext(m) for r in records for m in r.merged_ids} | {ctx.ext(r.merged_into) for r in records}
    wanted = {ctx.ext(r.id) for r in records} | parent_exts | (merged - {None})
    existing = lookup_by(Account.objects.all(), "external_id", wanted)
    users = users_by_id(owner_user_ids(ctx, records))
    for record in records:  # merges first: a renamed account is then updated as the survivor
        ext = ctx.ext(record.id)
        for gone in record.merged_ids:
            _merge(ctx, gone_ext=ctx.ext(gone), survivor_ext=ext, existing=existing)
        if record.merged_into:
            _merge(ctx, gone_ext=ext, survivor_ext=ctx.ext(record.merged_into), existing=existing)
    in_page = {ctx.ext(r.id) for r in records if not r.deleted and not r.merged_into}
    pending = ctx.state.setdefault("pending_parents", {})
    items: list[tuple[str, dict]] = []
    for record in records:
        ext = ctx.ext(record.id)
        if record.deleted:
            _delete(ctx, ext, existing)
            continue
        if record.merged_into:
            continue
        try:
            values = mapped_values(ctx, record, fields, entity="account")
        except ValueError as exc:
            ctx.fail(record.id, str(exc))
            continue
        current = existing.get(ext)
        values = conflicts_resolve(ctx, record, values, current)
        if current is None and not values.get("name"):
            values["name"] = record.fields.get("name") or record.fields.get("Name") or ext
        elif "name" in values and not values["name"]:
            values.pop("name")
        owner = owner_of(ctx, record, users)
        if owner is not None:
            values["owner"] = owner
        parent = ctx.ext(record.links.get("parent"))
        if parent and parent != ext:
            if parent in existing or parent in in_page:
                values["parent"] = parent
            else:
                pending[ext] = parent
        items.append((record.id, {"external_id": ext, **values}))
    if ctx.dry_run:
        ctx.count(*classify(existing, items))
        ctx.would_create().update(item["external_id"] for _rid, item in items if item["external_id"] not in existing)
        return
    write_isolated(
        ctx,
        items,
        lambda batch: accounts_upsert(items=batch, source=ctx.connection.kind),
        lambda result: ctx.count(result.created, result.updated, result.unchanged),
    )


def accounts_finish(ctx: PageContext) -> None:
    """Parents that arrived after their children: set now, or logged when still unknown."""
    pending = ctx.state.pop("pending_parents", None) or {}
    if not pending:
        return
    known = lookup_by(Account.objects.all(), "external_id", [*pending, *pending.values()])
    items = []
    for child, parent in pending.items():
        if child in known and parent in known:
            items.append((child, {"external_id": child, "parent": parent}))
        else:
            ctx.log(_("Parent %(parent)s not found: left unset") % {"parent": parent}, record=child, level="warning")
    if items and not ctx.dry_run:
        write_isolated(
            ctx, items, lambda batch: accounts_upsert(items=batch, source=ctx.connection.kind), lambda result: None
        )


register_target(Target(key="account", write=accounts_write, finish=accounts_finish))
