"""Remote owners (the vendor's users) → links to our users by e-mail; no user is created.
The links are kept in the connection's options ("owners": {remote id: user id}), read when
accounts and opportunities take their owner."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.models import User

from ..fields import local_fields
from .base import PageContext, Target, mapped_values, register_target

__all__ = ["owners_write"]


def owners_write(ctx: PageContext, records) -> None:
    fields = local_fields("owner")
    emails: dict[str, str] = {}
    for record in records:
        if record.deleted:
            continue
        try:
            values = mapped_values(ctx, record, fields)
        except ValueError as exc:
            ctx.fail(record.id, str(exc))
            continue
        if values.get("email"):
            emails[record.id] = values["email"]
    users = {u.email.lower(): u.pk for u in User.objects.filter(is_active=True).exclude(email="")}
    owners = dict(ctx.connection.options.get("owners") or {})
    matched = 0
    for remote_id, email in emails.items():
        user_id = users.get(email)
        if user_id is not None:
            matched += 1
            owners[str(remote_id)] = user_id
    if owners != ctx.connection.options.get("owners"):
        ctx.connection.options = {**ctx.connection.options, "owners": owners}
        if not ctx.dry_run:
            ctx.connection.save(update_fields=["options"])
    ctx.count(unchanged=len(emails))
    ctx.log(
        _("%(matched)d of %(total)d owners matched to users by e-mail") % {"matched": matched, "total": len(emails)}
    )


register_target(Target(key="owner", write=owners_write))
