"""A person's role from their identity provider's groups.

`PULSE_SSO_GROUP_ROLES` maps group names to roles ({"cs-admins": "admin", "cs-team": "csm"});
the highest role any of the person's groups maps to wins. With no mapped group the person gets
`PULSE_SSO_DEFAULT_ROLE`, and when that is empty they are refused (a company's IdP holds far
more people than its CS team)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from core.choices import ROLE_RANK, Role

__all__ = ["role_for_groups", "group_roles"]


def group_roles() -> dict[str, str]:
    mapping = getattr(settings, "PULSE_SSO_GROUP_ROLES", {}) or {}
    valid = set(Role.values)
    return {str(group).casefold(): role for group, role in mapping.items() if role in valid}


def role_for_groups(groups: Iterable[str]) -> str | None:
    """The highest role the groups map to, else the default role, else None (refuse)."""
    mapping = group_roles()
    roles = [mapping[g.casefold()] for g in groups if isinstance(g, str) and g.casefold() in mapping]
    if roles:
        return max(roles, key=lambda r: ROLE_RANK[r])
    default = getattr(settings, "PULSE_SSO_DEFAULT_ROLE", "") or ""
    return default if default in Role.values else None
