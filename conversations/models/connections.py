"""A team member's connected mailbox and calendar: Google (Gmail + Calendar), Microsoft 365
(Graph mail + calendar) by OAuth, or a CalDAV calendar by password. Opt-in per user; the tokens
are encrypted at rest (conversations.crypto)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..crypto import BOX


class Provider(models.TextChoices):
    GOOGLE = "google", _("Google")
    MICROSOFT = "microsoft", _("Microsoft 365")
    CALDAV = "caldav", _("CalDAV calendar")


class ConnectionStatus(models.TextChoices):
    ACTIVE = "active", _("Connected")
    ERROR = "error", _("Needs attention")
    REVOKED = "revoked", _("Disconnected")


class ConnectedAccount(models.Model):
    """One user's connection to one mailbox / calendar.

    The sync cursors are the provider's own: Gmail's `historyId`, Graph's `@odata.deltaLink`,
    Google Calendar's `nextSyncToken`, a CalDAV collection's sync token. An empty cursor means
    "full sync next time" (the first run, or after the provider answered 410 Gone).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="connected_accounts")
    provider = models.CharField(max_length=16, choices=Provider.choices)
    email = models.CharField(max_length=254, help_text="The mailbox address, or the CalDAV user name.")
    caldav_url = models.URLField(max_length=500, blank=True)
    status = models.CharField(max_length=8, choices=ConnectionStatus.choices, default=ConnectionStatus.ACTIVE)
    scopes = models.TextField(blank=True)
    mail_enabled = models.BooleanField(default=True)
    calendar_enabled = models.BooleanField(default=True)
    # encrypted (conversations.crypto); use the properties below
    access_token_enc = models.TextField(blank=True)
    refresh_token_enc = models.TextField(blank=True)
    password_enc = models.TextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    mail_cursor = models.TextField(blank=True)
    calendar_cursor = models.TextField(blank=True)
    mail_synced_at = models.DateTimeField(null=True, blank=True)
    calendar_synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user_id", "provider", "email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "provider", "email"], name="conversations_connection_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()}: {self.email}"

    access_token = BOX.field("access_token_enc")
    refresh_token = BOX.field("refresh_token_enc")
    password = BOX.field("password_enc")

    @property
    def is_active(self) -> bool:
        return self.status == ConnectionStatus.ACTIVE

    @property
    def has_mail(self) -> bool:
        return self.provider != Provider.CALDAV and self.mail_enabled
