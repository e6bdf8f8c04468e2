"""Remote deals → our renewal / expansion opportunities through the renewals services: new
deals of a page in one `opportunities_create_many` (one by one with `opportunity_create` when
the batch is refused, so only the bad deal fails), changed ones through `opportunity_update`;
unchanged deals are recognised in one query per page and not written. The stage comes
from the connection's `options["stages"]` ({remote stage: our stage name}), else a stage of
ours with the same name, else the vendor's closed-won / closed-lost words, else the first open
stage."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from accounts.models import Account
from core.db import lookup_by
from renewals.models import Opportunity, PipelineStage
from renewals.services.opportunities import (
    default_stage,
    opportunities_create_many,
    opportunity_create,
    opportunity_update,
)

from ..choices import Deletions
from ..fields import local_fields
from .base import (
    PageContext,
    Target,
    conflicts_resolve,
    mapped_values,
    owner_of,
    owner_user_ids,
    register_target,
    users_by_id,
)

__all__ = ["opportunities_write"]


def _stage_resolver(ctx: PageContext):
    stages = list(PipelineStage.objects.all()) or [default_stage()]
    by_name = {s.name.lower(): s for s in stages}
    explicit = {str(k): v for k, v in (ctx.connection.options.get("stages") or {}).items()}
    first = {kind: next((s for s in stages if s.kind == kind), None) for kind in ("open", "won", "lost")}

    def resolve(remote: str | None) -> PipelineStage:
        text = (remote or "").strip()
        named = explicit.get(text)
        if named and named.lower() in by_name:
            return by_name[named.lower()]
        if text.lower() in by_name:
            return by_name[text.lower()]
        squashed = text.lower().replace(" ", "").replace("_", "")
        if "closedwon" in squashed and first["won"]:
            return first["won"]
        if "closedlost" in squashed and first["lost"]:
            return first["lost"]
        return first["open"] or stages[0]

    return resolve


def _differs(current: Opportunity, values: dict) -> dict:
    changed = {}
    for name, value in values.items():
        ours = getattr(current, f"{name}_id") if name in ("stage", "account", "owner") else getattr(current, name)
        theirs = value.pk if hasattr(value, "pk") else value
        if ours != theirs:
            changed[name] = value
    return changed


def opportunities_write(ctx: PageContext, records) -> None:
    fields = local_fields("opportunity")
    existing = lookup_by(Opportunity.objects.all(), "external_id", [ctx.ext(r.id) for r in records])
    accounts = lookup_by(
        Account.objects.all(),
        "external_id",
        [ctx.ext(r.links.get("account")) for r in records if r.links.get("account")],
    )
    users = users_by_id(owner_user_ids(ctx, records))
    stage_of = _stage_resolver(ctx)
    new: list[tuple[str, dict]] = []
    for record in records:
        ext = ctx.ext(record.id)
        current = existing.get(ext)
        if record.deleted or record.merged_into:
            if current is not None and ctx.connection.deletions == Deletions.DELETE:
                if not ctx.dry_run:
                    current.delete()
                ctx.run.deleted += 1
            if current is not None:
                ctx.log(_("Deleted or merged in the vendor"), record=ext)
            continue
        try:
            values = mapped_values(ctx, record, fields)
        except ValueError as exc:
            ctx.fail(record.id, str(exc))
            continue
        values = conflicts_resolve(ctx, record, values, current)
        if "stage" in values:
            values["stage"] = stage_of(values["stage"])
        if values.get("kind") is None:
            values.pop("kind", None)
        owner = owner_of(ctx, record, users)
        if owner is not None:
            values["owner"] = owner
        if current is None:
            account = accounts.get(ctx.ext(record.links.get("account")) or "")
            if account is None and ctx.dry_run and ctx.ext(record.links.get("account")) in ctx.would_create():
                account = Account(external_id=ctx.ext(record.links.get("account")))
            if account is None:
                ctx.fail(record.id, _("No account: the deal is not associated with a company we know."))
                continue
            values["account"] = account
            values.setdefault("amount", 0)
            if values.get("amount") is None:
                values["amount"] = 0
            if values.get("close_date") is None:
                ctx.fail(record.id, _("No close date."))
                continue
            if ctx.dry_run:
                ctx.count(created=1)
            else:
                new.append((record.id, {"external_id": ext, **values}))
            continue
        values = _differs(current, {k: v for k, v in values.items() if v is not None})
        if not values:
            ctx.count(unchanged=1)
            continue
        if ctx.dry_run:
            ctx.count(updated=1)
            continue
        try:  # the services are atomic: a refused one rolls back to its own savepoint
            opportunity_update(opportunity=current, user=None, **values)
            ctx.count(updated=1)
        except (ValidationError, DatabaseError, ValueError) as exc:
            _failed(ctx, record.id, exc)
    _create(ctx, new)


def _failed(ctx: PageContext, remote_id: str, exc: Exception) -> None:
    reason = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    ctx.fail(remote_id, _("Not saved: %(reason)s") % {"reason": reason})


def _create(ctx: PageContext, new: list[tuple[str, dict]]) -> None:
    if not new:
        return
    try:
        ctx.count(created=len(opportunities_create_many(items=[values for _rid, values in new])))
        return
    except (ValidationError, DatabaseError, ValueError):
        pass
    for remote_id, values in new:
        try:
            opportunity_create(user=None, **values)
            ctx.count(created=1)
        except (ValidationError, DatabaseError, ValueError) as exc:
            _failed(ctx, remote_id, exc)


register_target(Target(key="opportunity", write=opportunities_write))
