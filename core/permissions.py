"""Role checks for the browser UI. The API has its own in core.api.permissions."""

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied

from .choices import Role


class RoleRequiredMixin(AccessMixin):
    """Allow GET/HEAD to `view_role` and above, every other method to `edit_role` and above."""

    view_role: str = Role.READONLY
    edit_role: str = Role.CSM

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        needed = self.view_role if request.method in ("GET", "HEAD", "OPTIONS") else self.edit_role
        if not request.user.has_role(needed):
            raise PermissionDenied(f"This needs the {Role(needed).label} role.")
        return super().dispatch(request, *args, **kwargs)


class AdminRequiredMixin(RoleRequiredMixin):
    """Configuration pages: only admins, for reading too."""

    view_role = Role.ADMIN
    edit_role = Role.ADMIN


class ManagerRequiredMixin(RoleRequiredMixin):
    view_role = Role.MANAGER
    edit_role = Role.MANAGER


def require_role(user, role: str) -> None:
    """For function views and services called from views."""
    if not (user.is_authenticated and user.has_role(role)):
        raise PermissionDenied(f"This needs the {Role(role).label} role.")
