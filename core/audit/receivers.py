"""Sign-ins, failed sign-ins and sign-outs into the audit trail."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import AuditAction
from .recorder import audit_record


@receiver(user_logged_in, dispatch_uid="audit:login")
def login_recorded(sender, request, user, **kwargs):
    audit_record(action=AuditAction.LOGIN, instance=user, actor=user)


@receiver(user_logged_out, dispatch_uid="audit:logout")
def logout_recorded(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=AuditAction.LOGOUT, instance=user, actor=user)


@receiver(user_login_failed, dispatch_uid="audit:login-failed")
def login_failure_recorded(sender, credentials, request=None, **kwargs):
    # A single sign-on front door that refused a person its provider vouched for says who in
    # `request.identity_refused` ({"provider", "subject", "username", "groups"}).
    refused = getattr(request, "identity_refused", None) or {}
    username = str(credentials.get("username", "") or refused.get("username", ""))[:150]
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        object_type="core.user",
        object_repr=username,
        actor="anonymous",
        extra={"username": username, **({"refused": refused} if refused else {})},
    )
