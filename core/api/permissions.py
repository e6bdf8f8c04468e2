from rest_framework.permissions import SAFE_METHODS, BasePermission

from core.choices import APIKeyScope, Role


class ScopedPermission(BasePermission):
    """Who may do what through the API.

    API keys: `read` reads, `write` reads and writes, `ingest` only posts to views that set
    `ingest_allowed = True` (event bulk, tracking), `scim` opens only the views that set
    `scim_allowed = True` (SCIM provisioning, core.identity.scim), which no other key opens.
    Logged-in users: every role reads, a view's `write_role` (CSM unless the view says otherwise,
    admin for configuration) writes. A personal token (a key bound to a user) counts as that user
    logged in; which accounts the user may write is accounts.access's answer, checked by the
    accounts' views.
    """

    message = "Your API key's scope or your role does not allow this."

    def has_permission(self, request, view) -> bool:
        key = request.auth if hasattr(request.auth, "scope") else None
        if key is not None and getattr(key, "user_id", None) is None:
            if key.scope == APIKeyScope.SCIM or getattr(view, "scim_allowed", False):
                return key.scope == APIKeyScope.SCIM and getattr(view, "scim_allowed", False)
            if key.scope == APIKeyScope.INGEST:
                return request.method not in SAFE_METHODS and getattr(view, "ingest_allowed", False)
            if request.method in SAFE_METHODS:
                return True
            return key.scope == APIKeyScope.WRITE and not getattr(view, "admin_only", False)
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if request.method in SAFE_METHODS:
            return user.has_role(getattr(view, "read_role", Role.READONLY))
        return user.has_role(getattr(view, "write_role", Role.CSM))
