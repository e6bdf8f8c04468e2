"""What a help desk (Zendesk, Intercom) writes on our side: its organizations / companies matched
to our accounts, its end users to our contacts, its tickets / conversations to our support
tickets (`accounts.records.tickets_upsert`, so `ticket_changed` fires as for the API).

A help desk is not where accounts are mastered: an organization is matched to the account we
already have, by the connection's own external id ("zendesk:<id>"), else by the external id the
help desk keeps for it (Zendesk's `external_id`, Intercom's `company_id`), else by domain; a
match is a link kept in the connection's options (`links`: {object: {remote id: our external
id}}) and changes nothing on the account. Only an organization matched to nothing becomes an
account of its own (prefixed external id, name, domain). End users likewise: by the prefixed
id, else by e-mail (one contact with it), else a new contact on the organization's account.

Tickets take their account from their organization, else from their requester's contact; a
ticket with neither fails with that reason (retried by "retry failures" once the organization
is known). The clients hand tickets in our terms: `subject`, `opened_at`, `first_response_at`,
`resolved_at`, `agent_replies`, `status`, `priority`. A ticket the help desk deleted is
deleted here (it was spam or a mistake, not history)."""

from __future__ import annotations

from django.db.models.functions import Lower
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import TicketPriority, TicketStatus
from accounts.models import Account, Contact, SupportTicket
from accounts.records import account_delete, accounts_upsert, contacts_upsert, ticket_delete, tickets_upsert
from core.db import chunked, lookup_by

from ..choices import Deletions
from ..targets.base import PageContext, Target, register_target, write_isolated

__all__ = ["helpdesk_targets_register"]

AGENT_ROLES = {"agent", "admin"}


def _links(ctx: PageContext, object_key: str) -> dict[str, str]:
    return dict((ctx.connection.options.get("links") or {}).get(object_key) or {})


def _links_save(ctx: PageContext, object_key: str, links: dict[str, str]) -> None:
    if ctx.dry_run or links == _links(ctx, object_key):
        return
    all_links = dict(ctx.connection.options.get("links") or {})
    all_links[object_key] = links
    ctx.connection.options = {**ctx.connection.options, "links": all_links}
    ctx.connection.save(update_fields=["options"])


def _by_lower(model, field: str, values: set[str]) -> dict[str, list]:
    found: dict[str, list] = {}
    for chunk in chunked(sorted(values)):
        rows = model.objects.annotate(k=Lower(field)).filter(k__in=chunk)
        for row in rows:
            found.setdefault(row.k, []).append(row)
    return found


# Section: organizations → accounts


def accounts_link(ctx: PageContext, records) -> None:
    links = _links(ctx, ctx.spec.key)
    live = [r for r in records if not r.deleted]
    own = lookup_by(Account.objects.all(), "external_id", {ctx.ext(r.id) for r in records} | set(links.values()))
    theirs = {str(r.fields.get("external_id")) for r in live if r.fields.get("external_id")}
    by_external_id = lookup_by(Account.objects.all(), "external_id", theirs)
    by_domain = _by_lower(
        Account, "domain", {str(r.fields.get("domain")).lower() for r in live if r.fields.get("domain")}
    )
    items = []
    for record in records:
        ext = ctx.ext(record.id)
        linked = links.get(record.id)
        if record.deleted:
            account = own.get(linked or ext)
            links.pop(record.id, None)
            if account is not None and account.external_id == ext and ctx.connection.deletions == Deletions.DELETE:
                ctx.log(_("Deleted in the vendor: account deleted"), record=ext)
                if not ctx.dry_run:
                    account_delete(account=account)
                ctx.run.deleted += 1
            elif account is not None:
                ctx.log(_("Deleted in the vendor: link removed, account kept"), record=ext)
            continue
        name = str(record.fields.get("name") or "").strip()[:255]
        domain = str(record.fields.get("domain") or "").strip().lower()[:255]
        account = own.get(linked) if linked else None
        how = ""
        if account is None and ext in own:
            account = own[ext]
        if account is None and record.fields.get("external_id"):
            account = by_external_id.get(str(record.fields["external_id"]))
            how = _("external id")
        if account is None and domain:
            candidates = by_domain.get(domain) or []
            if len(candidates) == 1:
                account, how = candidates[0], _("domain")
            elif len(candidates) > 1:
                ctx.log(_("Domain %(domain)s names several accounts: not matched") % {"domain": domain}, record=ext)
        if account is not None and account.external_id != ext:
            if links.get(record.id) != account.external_id:
                ctx.log(
                    _("Matched to account %(account)s by %(how)s") % {"account": account.external_id, "how": how},
                    record=ext,
                )
            links[record.id] = account.external_id
            ctx.count(unchanged=1)  # a match changes nothing on the account
            continue
        links[record.id] = ext
        item = {"external_id": ext, "name": name or ext}
        if domain:
            item["domain"] = domain
        items.append((record.id, item))
    _links_save(ctx, ctx.spec.key, links)
    _write(ctx, items, own, lambda batch: accounts_upsert(items=batch, source=ctx.connection.kind))


def _write(ctx: PageContext, items, existing: dict, upsert) -> None:
    if ctx.dry_run:
        for _rid, item in items:
            current = existing.get(item["external_id"])
            if current is None:
                ctx.count(created=1)
            elif any(getattr(current, k, None) != v for k, v in item.items() if not hasattr(v, "pk")):
                ctx.count(updated=1)
            else:
                ctx.count(unchanged=1)
        return
    write_isolated(ctx, items, upsert, lambda result: ctx.count(result.created, result.updated, result.unchanged))


# Section: end users → contacts


def _accounts_of(ctx: PageContext, org_key: str, remote_ids: set[str]) -> dict[str, Account]:
    """Our account for each remote organization id (its link, else its prefixed external id)."""
    links = _links(ctx, org_key)
    wanted = {rid: links.get(rid) or ctx.ext(rid) for rid in remote_ids if rid}
    found = lookup_by(Account.objects.all(), "external_id", set(wanted.values()))
    return {rid: found[ext] for rid, ext in wanted.items() if ext in found}


def contacts_link(ctx: PageContext, records, *, org_key: str) -> None:
    links = _links(ctx, ctx.spec.key)
    people = [r for r in records if str(r.fields.get("role") or "") not in AGENT_ROLES]
    own = lookup_by(Contact.objects.all(), "external_id", {ctx.ext(r.id) for r in people} | set(links.values()))
    by_email = _by_lower(
        Contact,
        "email",
        {str(r.fields.get("email")).lower() for r in people if r.fields.get("email") and not r.deleted},
    )
    accounts = _accounts_of(ctx, org_key, {r.links.get("account") for r in people})
    items = []
    for record in people:
        ext = ctx.ext(record.id)
        contact = own.get(links.get(record.id) or ext)
        if record.deleted:
            links.pop(record.id, None)
            if contact is not None and contact.external_id == ext and ctx.connection.deletions == Deletions.DELETE:
                ctx.run.deleted += 1
                if not ctx.dry_run:
                    contact.delete()
            ctx.log(_("Deleted or suspended in the vendor"), record=ext)
            continue
        email = str(record.fields.get("email") or "").strip().lower()[:254]
        if contact is None and email:
            candidates = by_email.get(email) or []
            if len(candidates) == 1:
                contact = candidates[0]
        if contact is not None and contact.external_id != ext:
            links[record.id] = contact.external_id
            ctx.count(unchanged=1)
            continue
        links[record.id] = ext
        item = {"external_id": ext, "name": str(record.fields.get("name") or "").strip()[:255]}
        if email and "@" in email:
            item["email"] = email
        account = accounts.get(record.links.get("account"))
        if account is not None:
            item["account"] = account
        items.append((record.id, item))
    _links_save(ctx, ctx.spec.key, links)
    _write(ctx, items, own, lambda batch: contacts_upsert(items=batch, source=ctx.connection.kind))


# Section: tickets


def _moment(value):
    if value in (None, ""):
        return None
    return value if hasattr(value, "tzinfo") else parse_datetime(str(value))


def tickets_write(ctx: PageContext, records, *, org_key: str, user_key: str) -> None:
    accounts = _accounts_of(ctx, org_key, {r.links.get("account") for r in records})
    user_links = _links(ctx, user_key)
    contact_exts = {rid: user_links.get(rid) or ctx.ext(rid) for r in records if (rid := r.links.get("contact"))}
    contacts = lookup_by(Contact.objects.select_related("account"), "external_id", set(contact_exts.values()))
    existing = lookup_by(SupportTicket.objects.all(), "external_id", {ctx.ext(r.id) for r in records})
    items = []
    for record in records:
        ext = ctx.ext(record.id)
        if record.deleted:
            ticket = existing.get(ext)
            if ticket is not None:
                ctx.log(_("Deleted in the vendor: ticket deleted"), record=ext)
                ctx.run.deleted += 1
                if not ctx.dry_run:
                    ticket_delete(ticket=ticket)
            continue
        contact = contacts.get(contact_exts.get(record.links.get("contact")))
        account = accounts.get(record.links.get("account")) or (contact.account if contact else None)
        if account is None:
            ctx.fail(record.id, _("No account: the ticket's organization and requester are unknown to us"))
            continue
        fields = record.fields
        opened = _moment(fields.get("opened_at"))
        if opened is None:
            ctx.fail(record.id, _("No creation time"))
            continue
        first = _moment(fields.get("first_response_at"))
        resolved = _moment(fields.get("resolved_at"))
        status = fields.get("status") if fields.get("status") in TicketStatus.values else TicketStatus.OPEN
        priority = fields.get("priority") if fields.get("priority") in TicketPriority.values else TicketPriority.NORMAL
        items.append(
            (
                record.id,
                {
                    "external_id": ext,
                    "account": account,
                    "contact": contact,
                    "subject": str(fields.get("subject") or "")[:255],
                    "opened_at": opened,
                    "first_response_at": first if first and first >= opened else None,
                    "resolved_at": resolved if resolved and resolved >= opened else None,
                    "agent_replies": max(0, int(fields.get("agent_replies") or 0)),
                    "status": status,
                    "priority": priority,
                },
            )
        )
    _write(ctx, items, existing, lambda batch: tickets_upsert(items=batch))


def helpdesk_targets_register(*, prefix: str, org_key: str, user_key: str) -> None:
    """Register this help desk's targets: "<prefix>_account", "<prefix>_contact", "<prefix>_ticket"."""
    register_target(
        Target(
            key=f"{prefix}_account",
            write=accounts_link,
            label=gettext_lazy("Accounts (matched by external id or domain)"),
        )
    )
    register_target(
        Target(
            key=f"{prefix}_contact",
            write=lambda ctx, r: contacts_link(ctx, r, org_key=org_key),
            label=gettext_lazy("Contacts (matched by e-mail)"),
        )
    )
    register_target(
        Target(
            key=f"{prefix}_ticket",
            write=lambda ctx, r: tickets_write(ctx, r, org_key=org_key, user_key=user_key),
            label=gettext_lazy("Tickets"),
        )
    )
