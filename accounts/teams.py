"""Writes of account teams (AccountTeamMember): who besides the owner works an account, and in
which role. Being on the team puts the account in the user's book (accounts.access). Each change
is a "change" entry on the account's timeline (who, when, before and after)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.choices import Role
from core.models import User

from .choices import ActivityKind, TeamRole
from .models import Account, AccountTeamMember, Activity

__all__ = ["team_member_add", "team_member_remove"]


def _label(member: AccountTeamMember) -> str:
    with override(settings.LANGUAGE_CODE):  # the timeline stores the source language's role name
        role = str(TeamRole(member.role).label)
    return f"{member.user.get_full_name() or member.user.username} ({role})"


def _log(*, account: Account, author, before: str, after: str) -> None:
    Activity.objects.create(
        account=account,
        kind=ActivityKind.CHANGE,
        author=author if getattr(author, "pk", None) else None,
        subject="Changed Account team",
        body=f"Account team: {before or '—'} → {after or '—'}",
        occurred_at=timezone.now(),
        metadata={
            "changes": [{"field": "team", "label": "Account team", "before": before, "after": after}],
            "source": "page",
        },
    )


@transaction.atomic
def team_member_add(*, account: Account, user: User, role: str, author=None) -> AccountTeamMember:
    """Put `user` on the account's team in `role` (or change their role there)."""
    if role not in TeamRole.values:
        raise ValidationError({"role": _("Choose one of the listed values.")})
    if not (user.is_active and user.has_role(Role.CSM)):
        raise ValidationError({"user": _("Choose an active CSM, manager or admin.")})
    if user.pk == account.owner_id and role != TeamRole.OWNER:
        raise ValidationError({"user": _("%(user)s owns this account already.") % {"user": user}})
    member = AccountTeamMember.objects.select_for_update().filter(account=account, user=user).first()
    before = _label(member) if member else ""
    if member is None:
        member = AccountTeamMember.objects.create(account=account, user=user, role=role)
    elif member.role != role:
        member.role = role
        member.save(update_fields=["role"])
    else:
        return member
    _log(account=account, author=author, before=before, after=_label(member))
    return member


@transaction.atomic
def team_member_remove(*, member: AccountTeamMember, author=None) -> None:
    before = _label(member)
    account = member.account
    member.delete()
    _log(account=account, author=author, before=before, after="")
