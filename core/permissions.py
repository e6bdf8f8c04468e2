"""Role checks for the browser UI. The API has its own in core.api.permissions."""

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

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
            raise PermissionDenied(_("This needs the %(role)s role.") % {"role": Role(needed).label})
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
        raise PermissionDenied(_("This needs the %(role)s role.") % {"role": Role(role).label})
