"""The audit trail's one table. Rows are only ever added: `save()` of a stored row, `delete()`
and the queryset's `update()` / `delete()` raise, and the admin shows them read-only."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Sign-in failed")
    LOGOUT = "logout", _("Signed out")
    EXPORT = "export", _("Exported")


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or remove an audit row through the app."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit log is append-only: rows cannot be updated.")

    def delete(self):
        raise AppendOnlyError("The audit log is append-only: rows cannot be deleted.")

    _raw_delete = delete


class AuditEvent(models.Model):
    """Who did what, when, to which record, from where; `changes` is {field: [before, after]}."""

    at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(
        max_length=160,
        blank=True,
        help_text=_("The user name or API key at the time (kept if the user goes)."),
        verbose_name=_("actor label"),
    )
    action = models.CharField(max_length=16, choices=AuditAction.choices, db_index=True, verbose_name=_("action"))
    object_type = models.CharField(max_length=100, blank=True, db_index=True, verbose_name=_("object type"))
    object_id = models.CharField(max_length=64, blank=True, verbose_name=_("object ID"))
    object_repr = models.CharField(max_length=255, blank=True, verbose_name=_("object name"))
    changes = models.JSONField(default=dict, blank=True, verbose_name=_("changes"))
    extra = models.JSONField(default=dict, blank=True, verbose_name=_("extra"))
    ip_address = models.CharField(max_length=64, blank=True, verbose_name=_("IP address"))
    user_agent = models.CharField(max_length=255, blank=True, verbose_name=_("user agent"))
    path = models.CharField(max_length=255, blank=True, verbose_name=_("path"))

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["actor", "-at"])]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The audit log is append-only: a stored row cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only: rows cannot be deleted.")
