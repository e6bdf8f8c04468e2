"""Creating, updating and deactivating users from what an identity provider says. Every change
to a user is in the audit trail through the registry (core.User is audited)."""

from __future__ import annotations

import dataclasses
import re

from django.db import transaction
from django.utils import timezone

from core.models import User

from .models import ExternalIdentity
from .roles import role_for_groups

__all__ = ["IdentityClaims", "IdentityRefused", "identity_user_sync", "identity_deactivate"]


class IdentityRefused(Exception):
    """The provider vouched for the person, but none of their groups gives a Pulse role."""


@dataclasses.dataclass(frozen=True)
class IdentityClaims:
    provider: str
    subject: str
    email: str = ""
    username: str = ""
    first_name: str = ""
    last_name: str = ""
    groups: tuple[str, ...] = ()
    # SCIM says "active" (True / False); single sign-on leaves it None: a sign-in never revives a
    # user an admin deactivated in Pulse (only one the provider itself had turned off).
    active: bool | None = None
    # None: take the role from the groups. SCIM callers may pass an explicit role.
    role: str | None = None


def _free_username(wanted: str) -> str:
    base = re.sub(r"[^\w.@+-]", "", wanted)[:140] or "user"
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}{n}"
    return name


def _find_user(claims: IdentityClaims) -> tuple[User | None, ExternalIdentity | None]:
    link = (
        ExternalIdentity.objects.select_related("user").filter(provider=claims.provider, subject=claims.subject).first()
    )
    if link is not None:
        return link.user, link
    # First sign-in of a person who already has a Pulse account (invited earlier, or made by
    # SCIM under another provider key): matched by e-mail, case-insensitively, if unique.
    if claims.email:
        found = list(User.objects.filter(email__iexact=claims.email)[:2])
        if len(found) == 1:
            return found[0], None
    return None, None


def identity_user_sync(claims: IdentityClaims) -> User:
    """The Pulse user for these claims, created or brought up to date: names, e-mail, role from
    the groups (every sign-in, so a group change at the provider moves the role), active flag.
    Raises IdentityRefused when no group maps to a role and there is no default role; a person
    this provider already linked is then deactivated (removed from every mapped group)."""
    role = claims.role or role_for_groups(claims.groups)
    if role is None:
        identity_deactivate(provider=claims.provider, subject=claims.subject)
        raise IdentityRefused(claims.subject)
    return _sync(claims, role)


def _active(user: User | None, link: ExternalIdentity | None, claims: IdentityClaims) -> bool:
    """Whether the user is active after this sync. SCIM's `active` decides; for a sign-in, a new
    or active user is active, and an inactive one only comes back when this provider is what
    turned them off (removed from every mapped group); one an admin deactivated is refused."""
    if claims.active is not None:
        return claims.active
    if user is None or user.is_active:
        return True
    if link is not None and link.deactivated_by_provider:
        return True
    raise IdentityRefused(claims.subject)


@transaction.atomic
def _sync(claims: IdentityClaims, role: str) -> User:
    user, link = _find_user(claims)
    active = _active(user, link, claims)
    fields = {
        "email": claims.email.strip(),
        "first_name": claims.first_name.strip()[:150],
        "last_name": claims.last_name.strip()[:150],
        "role": role,
        "is_active": active,
    }
    if user is None:
        user = User(username=_free_username(claims.username or claims.email or claims.subject), **fields)
        user.set_unusable_password()
        user.save()
    else:
        changed = [name for name, value in fields.items() if value != "" and getattr(user, name) != value]
        for name in changed:
            setattr(user, name, fields[name])
        if changed:
            user.save(update_fields=changed)
    ExternalIdentity.objects.update_or_create(
        provider=claims.provider,
        subject=claims.subject,
        defaults={
            "user": user,
            "groups": list(claims.groups),
            "last_seen_at": timezone.now(),
            "deactivated_by_provider": not active,
        },
    )
    return user


@transaction.atomic
def identity_deactivate(*, provider: str, subject: str) -> User | None:
    """Deactivate the user linked to this identity (SCIM DELETE or `active: false`); the user and
    their history stay, they can no longer sign in."""
    link = ExternalIdentity.objects.select_related("user").filter(provider=provider, subject=subject).first()
    if link is None:
        return None
    user = link.user
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        link.deactivated_by_provider = True
        link.save(update_fields=["deactivated_by_provider"])
    return user
