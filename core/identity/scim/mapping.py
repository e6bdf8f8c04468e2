"""Pulse users and SCIM groups to SCIM resources (scim2-models) and back: what a User resource says
becomes `IdentityClaims` for core.identity.services. Pulse keeps a person's userName, name, one
e-mail address, active flag and groups; other attributes a client sends are accepted and not
stored (RFC 7643 §2: a service provider may ignore attributes it does not support)."""

from __future__ import annotations

from typing import Any

from scim2_models import (
    Context,
    Email,
    EnterpriseUser,
    Group,
    GroupMember,
    GroupMembership,
    Meta,
    Name,
)
from scim2_models import User as UserResource

from core.identity.models import ExternalIdentity
from core.identity.services import IdentityClaims
from core.models import User

from .models import ScimGroup

__all__ = [
    "PROVIDER",
    "ScimUser",
    "claims_for_user",
    "claims_from_resource",
    "group_resource",
    "resource_email",
    "stored_attributes",
    "user_resource",
]

PROVIDER = "scim"
# Microsoft Entra ID sends the enterprise extension (department, manager...) by default.
ScimUser = UserResource[EnterpriseUser]


def stored_attributes(resource: Any) -> dict[str, Any]:
    """A resource as kept on its row: what the client may write, never a password."""
    attributes = resource.model_dump(scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
    for server_owned in ("password", "id", "meta", "groups"):
        attributes.pop(server_owned, None)
    return attributes


def user_resource(link: ExternalIdentity, *, base_url: str) -> Any:
    """The User resource: what the client last wrote, with what Pulse owns laid over it (id, meta,
    groups, userName, and the name, address and active flag when they changed in Pulse)."""
    user = link.user
    resource = ScimUser.model_validate(link.attributes or {"userName": user.username}, scim_ctx=None)
    resource.id = link.subject
    resource.external_id = link.external_id or None
    resource.user_name = user.username
    name = resource.name or Name()
    if (name.given_name or "")[:150] != user.first_name or (name.family_name or "")[:150] != user.last_name:
        full_name = f"{user.first_name} {user.last_name}".strip()
        resource.name = (
            Name(given_name=user.first_name or None, family_name=user.last_name or None, formatted=full_name or None)
            if full_name
            else None
        )
    if resource_email(resource) != user.email:
        resource.emails = [Email(value=user.email, type=Email.Type.work, primary=True)] if user.email else None
    if (resource.active is not False) != user.is_active:
        resource.active = user.is_active
    resource.groups = [
        GroupMembership(value=str(group.pk), display=group.display_name, ref=f"{base_url}/Groups/{group.pk}")
        for group in user.scim_groups.all()
    ] or None
    resource.meta = Meta(
        resource_type="User",
        created=user.date_joined,
        last_modified=max(link.last_seen_at, user.date_joined),
        location=f"{base_url}/Users/{link.subject}",
    )
    return resource


def group_resource(group: ScimGroup, *, base_url: str) -> Group:
    """The Group resource: its stored attributes, its members from the relation (with the display
    the client gave each, else the user name)."""
    resource = Group.model_validate(group.attributes or {"displayName": group.display_name}, scim_ctx=None)
    displays = {m.get("value"): m.get("display") for m in group.attributes.get("members", []) if isinstance(m, dict)}
    links = ExternalIdentity.objects.filter(provider=PROVIDER, user__scim_groups=group).select_related("user")
    resource.id = str(group.pk)
    resource.external_id = group.external_id or None
    resource.display_name = group.display_name
    resource.members = [
        GroupMember(
            value=link.subject,
            display=displays.get(link.subject) or link.user.username,
            type="User",
            ref=f"{base_url}/Users/{link.subject}",
        )
        for link in links.order_by("subject")
    ] or None
    resource.meta = Meta(
        resource_type="Group",
        created=group.created_at,
        last_modified=group.updated_at,
        location=f"{base_url}/Groups/{group.pk}",
    )
    return resource


def resource_email(resource: Any) -> str:
    """The primary address, else the work one, else the first."""
    emails = [e for e in (resource.emails or []) if e.value]
    for pick in (lambda e: e.primary, lambda e: e.type == Email.Type.work, lambda e: True):
        for email in emails:
            if pick(email):
                return str(email.value)
    return ""


def claims_from_resource(resource: Any, *, subject: str, groups: tuple[str, ...], role: str) -> IdentityClaims:
    """What a User resource says, for `identity_user_sync`; `active` left out means active."""
    name = resource.name
    return IdentityClaims(
        provider=PROVIDER,
        subject=subject,
        email=resource_email(resource),
        username=resource.user_name or "",
        first_name=(name.given_name if name else None) or "",
        last_name=(name.family_name if name else None) or "",
        groups=groups,
        active=resource.active is not False,
        role=role,
    )


def claims_for_user(user: User, *, subject: str, groups: tuple[str, ...], role: str) -> IdentityClaims:
    """The claims a provisioned user already stands for, with new groups and role (a membership change)."""
    return IdentityClaims(
        provider=PROVIDER,
        subject=subject,
        email=user.email,
        username=user.username,
        first_name=user.first_name,
        last_name=user.last_name,
        groups=groups,
        active=user.is_active,
        role=role,
    )
