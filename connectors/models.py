"""Connections to vendors (credentials encrypted at rest), their field mappings, cursors, runs
and failures. The vendors themselves are code (connectors.registry), not rows."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AuthKind, ConnectionStatus, Deletions, Direction, RunStatus
from .crypto import credentials_decrypt, credentials_encrypt


class Connection(models.Model):
    """One connected vendor account (a HubSpot portal, a Salesforce org...). `credentials` is a
    dict ({"token"} or {"access_token", "refresh_token", "expires_at", "client_id",
    "client_secret", "instance_url"}) stored encrypted; `options` holds vendor settings (the deal
    pipeline, the Salesforce fields health is pushed to...)."""

    kind = models.CharField(max_length=32)
    name = models.CharField(max_length=120, unique=True)
    base_url = models.URLField(max_length=500)
    auth = models.CharField(max_length=8, choices=AuthKind.choices, default=AuthKind.TOKEN)
    credentials_encrypted = models.TextField(blank=True)
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=ConnectionStatus.choices, default=ConnectionStatus.ACTIVE)
    status_reason = models.TextField(blank=True)
    deletions = models.CharField(max_length=8, choices=Deletions.choices, default=Deletions.KEEP)
    interval_minutes = models.PositiveIntegerField(default=60, help_text=_("0: only by hand"))
    next_sync_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def credentials(self) -> dict:
        return credentials_decrypt(self.credentials_encrypted)

    @credentials.setter
    def credentials(self, values: dict) -> None:
        self.credentials_encrypted = credentials_encrypt(values)

    @property
    def id_prefix(self) -> str:
        """Our external ids of what this connection brings: "<kind>:<remote id>" (a second
        connection of the same kind adds its id)."""
        return self.options.get("id_prefix") or f"{self.kind}:"


class FieldMapping(models.Model):
    """A remote object's field ↔ one of our fields (or a custom field, "custom:<key>")."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="mappings")
    object_key = models.CharField(max_length=40)
    remote_field = models.CharField(max_length=120)
    local_field = models.CharField(max_length=120)
    direction = models.CharField(max_length=4, choices=Direction.choices, default=Direction.PULL)

    class Meta:
        ordering = ["object_key", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "object_key", "remote_field", "local_field"], name="connector_mapping_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.object_key}.{self.remote_field} {self.direction} {self.local_field}"


class SyncCursor(models.Model):  # noqa: DJ008
    """Where a connection's pull of one object stands: `state` is the vendor's page cursor of
    the run under way (saved with each page, so a crash resumes there) and `since` the
    modified-since mark of the next incremental run; `last_synced_at` is when the last complete
    pull finished (the conflict rule compares our edits with it)."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="cursors")
    object_key = models.CharField(max_length=40)
    state = models.JSONField(null=True, blank=True)
    since = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connection", "object_key"], name="connector_cursor_unique")]


class SyncRun(models.Model):  # noqa: DJ008
    """One sync of a connection: counts, progress, status and its log (conflicts, deletions,
    merges), capped at LOG_LIMIT lines."""

    LOG_LIMIT = 500

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    dry_run = models.BooleanField(default=False)
    full = models.BooleanField(default=False)
    retry_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    pushed = models.PositiveIntegerField(default=0)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    current_object = models.CharField(max_length=40, blank=True)
    reason = models.TextField(blank=True)
    log = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["connection", "-created_at"])]

    def counts(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "deleted": self.deleted,
            "pushed": self.pushed,
        }

    @property
    def progress_percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, round(100 * self.progress_done / self.progress_total))


class SyncFailure(models.Model):  # noqa: DJ008
    """One record a run could not write, and why; "retry" runs them again."""

    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="failures")
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="failures")
    object_key = models.CharField(max_length=40)
    remote_id = models.CharField(max_length=191)
    reason = models.TextField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["connection", "resolved_at"])]


class PushState(models.Model):  # noqa: DJ008
    """What we last pushed to one remote record (by our field), so a rerun pushes nothing new."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="push_states")
    object_key = models.CharField(max_length=40)
    remote_id = models.CharField(max_length=191)
    values = models.JSONField(default=dict)
    pushed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "object_key", "remote_id"], name="connector_push_unique")
        ]
