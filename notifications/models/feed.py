"""The in-app feed and each user's e-mail choices."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ..choices import NotificationKind


class Notification(models.Model):
    """One piece of news for one user. `key` names the event ("task:12", "renewal:7:2027-01-31"):
    unique per recipient, so every path that could tell a user the same thing twice (a retried
    task, a repeated sweep, a second signal) inserts nothing the second time. `title` and `body`
    are written in the recipient's language when the notification is made."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=24, choices=NotificationKind.choices)
    key = models.CharField(max_length=191)
    title = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_key")]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_feed"),
            # the badge: a user's unread count is an index-only count of a small partial index
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """Whether a user wants one kind of notification by e-mail too (in-app is always on), or
    (kind "digest") the daily digest. No row: the kind's default (settings.NOTIFICATIONS_EMAIL_DEFAULT;
    the digest is on)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24)
    email = models.BooleanField(default=False)
    # keys of registered delivery channels (notifications.channels) this kind also goes through
    channels = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["user_id", "kind"]
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {'e-mail' if self.email else 'in-app'}"
