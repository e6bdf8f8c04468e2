"""Writes for SCIM provisioning. Users are created and changed through
`core.identity.services.identity_user_sync` (the seam OIDC and SAML sign-in use), deactivated
through `identity_deactivate`; a user is never deleted (their history stays). Group membership
moves roles: after any change to a group, each affected member's role is recomputed from the
displayNames of their groups (`roles.role_for_groups`). Every change is in the audit trail: user,
identity and group saves through the registry, membership changes as an explicit row."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from scim2_models import Group, InvalidValueException, UniquenessException

from core.audit.models import AuditAction
from core.audit.recorder import audit_record
from core.choices import Role
from core.identity.models import ExternalIdentity
from core.identity.roles import role_for_groups
from core.identity.services import identity_deactivate, identity_user_sync
from core.models import User

from .mapping import PROVIDER, claims_for_user, claims_from_resource, resource_email, stored_attributes
from .models import ScimGroup

__all__ = [
    "scim_role_for",
    "scim_user_create",
    "scim_user_replace",
    "scim_user_delete",
    "scim_group_create",
    "scim_group_replace",
    "scim_group_delete",
]


# Section: users

USER_NAME = re.compile(r"[\w.@+-]{1,150}")


def scim_role_for(group_names: Iterable[str]) -> str:
    """A provisioned person's role: the highest their groups map to; with none, PULSE_SCIM_DEFAULT_ROLE
    (read-only unless set), since the provider pushes only the people assigned to Pulse."""
    role = role_for_groups(list(group_names))
    if role is not None:
        return role
    default = getattr(settings, "PULSE_SCIM_DEFAULT_ROLE", "") or Role.READONLY
    return default if default in Role.values else Role.READONLY


def _group_names(user: User | None) -> tuple[str, ...]:
    if user is None or user.pk is None:
        return ()
    return tuple(user.scim_groups.order_by("display_name").values_list("display_name", flat=True))


def _check_user_name_free(user_name: str, *, keep: User | None) -> User | None:
    """The unlinked Pulse user this userName names (to adopt), None when free; raises uniqueness
    when another provisioned person has it, invalidValue when it cannot be a Pulse user name."""
    if not USER_NAME.fullmatch(user_name or ""):
        raise InvalidValueException(
            detail="userName must be 1 to 150 letters, digits or the characters . @ + - _ (an e-mail address fits)."
        )
    others = User.objects.filter(username__iexact=user_name)
    taken = (others.exclude(pk=keep.pk) if keep is not None else others).first()
    if taken is None:
        return None
    if keep is not None or taken.external_identities.filter(provider=PROVIDER).exists():
        raise UniquenessException(detail=f"userName '{user_name}' is already taken.")
    return taken


def _sync(link_subject: str, resource: Any, *, user: User | None, external_id: str) -> ExternalIdentity:
    names = _group_names(user)
    claims = claims_from_resource(resource, subject=link_subject, groups=names, role=scim_role_for(names))
    synced = identity_user_sync(claims)
    # The seam only fills fields in; SCIM also renames and clears (a removed name or address).
    name = resource.name
    fields = {
        "username": resource.user_name,
        "first_name": ((name.given_name if name else None) or "")[:150],
        "last_name": ((name.family_name if name else None) or "")[:150],
        "email": resource_email(resource),
    }
    changed = [field for field, value in fields.items() if getattr(synced, field) != value]
    for field in changed:
        setattr(synced, field, fields[field])
    if changed:
        synced.save(update_fields=changed)
    link = ExternalIdentity.objects.select_related("user").get(provider=PROVIDER, subject=link_subject)
    link.external_id = external_id
    link.attributes = stored_attributes(resource)
    link.save(update_fields=["external_id", "attributes"])
    return link


@transaction.atomic
def scim_user_create(*, resource: Any) -> ExternalIdentity:
    """Provision a person. A Pulse user who is not provisioned yet (invited earlier) is adopted when
    the userName or the e-mail address is theirs; a userName or address that belongs to another
    provisioned person is a uniqueness error (409)."""
    user = _check_user_name_free(resource.user_name, keep=None)
    email = resource_email(resource)
    if user is None and email:
        same_email = list(User.objects.filter(email__iexact=email)[:2])
        if len(same_email) == 1 and same_email[0].external_identities.filter(provider=PROVIDER).exists():
            raise UniquenessException(detail=f"The e-mail address '{email}' belongs to another provisioned user.")
    subject = str(uuid.uuid4())
    if user is not None:
        ExternalIdentity.objects.create(user=user, provider=PROVIDER, subject=subject)
    return _sync(subject, resource, user=user, external_id=resource.external_id or "")


@transaction.atomic
def scim_user_replace(*, link: ExternalIdentity, resource: Any) -> ExternalIdentity:
    """PUT, and PATCH once applied: the user becomes what the resource says (active false
    deactivates, true reactivates)."""
    _check_user_name_free(resource.user_name, keep=link.user)
    return _sync(link.subject, resource, user=link.user, external_id=resource.external_id or "")


@transaction.atomic
def scim_user_delete(*, link: ExternalIdentity) -> User:
    """DELETE: the user is deactivated and stops being a SCIM resource (a later GET is 404); the
    Pulse user and their history stay. Provisioning the person again adopts the same user."""
    user = identity_deactivate(provider=PROVIDER, subject=link.subject) or link.user
    for group in list(user.scim_groups.all()):
        _set_members(group, [m for m in group.members.all() if m.pk != user.pk], resync=False)
    link.delete()
    return user


# Section: groups


def _members_for(group_resource: Group) -> list[User]:
    """The users a Group resource's members name (by SCIM id); an unknown id is an invalidValue."""
    ids = [m.value for m in (group_resource.members or []) if m.value]
    links = {
        link.subject: link.user
        for link in ExternalIdentity.objects.filter(provider=PROVIDER, subject__in=ids).select_related("user")
    }
    unknown = sorted(set(ids) - set(links))
    if unknown:
        raise InvalidValueException(detail=f"Unknown member id(s): {', '.join(unknown)}.")
    return [links[i] for i in dict.fromkeys(ids)]


def _resync_roles(users: Iterable[User]) -> None:
    for user in users:
        link = user.external_identities.filter(provider=PROVIDER).first()
        if link is None:
            continue
        names = _group_names(user)
        identity_user_sync(claims_for_user(user, subject=link.subject, groups=names, role=scim_role_for(names)))


def _set_members(group: ScimGroup, members: list[User], *, resync: bool = True) -> None:
    before = {u.pk: u for u in group.members.all()}
    after = {u.pk: u for u in members}
    if set(before) == set(after):
        return
    group.members.set(list(after.values()))
    audit_record(
        action=AuditAction.UPDATE,
        instance=group,
        changes={"members": [sorted(u.username for u in before.values()), sorted(u.username for u in after.values())]},
    )
    if resync:
        changed = [before.get(pk) or after[pk] for pk in set(before) ^ set(after)]
        _resync_roles(changed)


def _display_name(resource: Group) -> str:
    if not resource.display_name:
        raise InvalidValueException(detail="displayName is required.")
    return resource.display_name


def _check_display_name_free(display_name: str, *, keep: ScimGroup | None) -> None:
    clash = ScimGroup.objects.filter(display_name__iexact=display_name)
    if keep is not None:
        clash = clash.exclude(pk=keep.pk)
    if clash.exists():
        raise UniquenessException(detail=f"displayName '{display_name}' is already taken.")


@transaction.atomic
def scim_group_create(*, resource: Group) -> ScimGroup:
    display_name = _display_name(resource)
    _check_display_name_free(display_name, keep=None)
    members = _members_for(resource)
    group = ScimGroup.objects.create(
        display_name=display_name,
        external_id=resource.external_id or "",
        attributes=stored_attributes(resource),
    )
    _set_members(group, members)
    return group


@transaction.atomic
def scim_group_replace(*, group: ScimGroup, resource: Group) -> ScimGroup:
    """PUT, and PATCH once applied. A renamed group moves its members' roles too."""
    display_name = _display_name(resource)
    _check_display_name_free(display_name, keep=group)
    members = _members_for(resource)
    renamed = group.display_name != display_name
    fields = {
        "display_name": display_name,
        "external_id": resource.external_id or "",
        "attributes": stored_attributes(resource),
    }
    changed = [name for name, value in fields.items() if getattr(group, name) != value]
    for name in changed:
        setattr(group, name, fields[name])
    if changed:
        group.save(update_fields=[*changed, "updated_at"])
    before = list(group.members.all())
    _set_members(group, members)
    if renamed:
        _resync_roles(before)
    return group


@transaction.atomic
def scim_group_delete(*, group: ScimGroup) -> None:
    """The group goes (it is the provider's); its members keep their accounts, their roles follow
    the groups they still have."""
    members = list(group.members.all())
    _set_members(group, [], resync=False)
    group.delete()
    _resync_roles(members)
