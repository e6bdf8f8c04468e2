"""Records of data coming in (moved out of accounts.models to keep it one screenful of tables):
CSV import jobs (accounts.imports) and the Stripe events already applied (accounts.billing).

Imported by accounts.models, so Django sees them as the accounts app's models."""

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """One CSV upload in the import UI: the file, its column mapping, the validation report,
    and the progress of the Celery task that imports it (accounts.imports)."""

    class Kind(models.TextChoices):
        ACCOUNTS = "accounts", _("Accounts")
        CONTACTS = "contacts", _("Contacts")
        SUBSCRIPTIONS = "subscriptions", _("Subscriptions")

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        VALIDATED = "validated", _("Validated")
        INVALID = "invalid", _("Has errors")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all", _("All or nothing: import only if every row is valid")
        VALID_ROWS = "valid_rows", _("Import the valid rows, report the rest")

    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("kind"))
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.ALL_OR_NOTHING, verbose_name=_("mode"))
    file_name = models.CharField(max_length=255, verbose_name=_("file name"))
    file_sha256 = models.CharField(max_length=64, db_index=True, verbose_name=_("file SHA-256"))
    content = models.TextField(help_text=_("The uploaded CSV, UTF-8."), verbose_name=_("content"))
    mapping = models.JSONField(default=dict, blank=True, help_text=_("{field: CSV column}."), verbose_name=_("mapping"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UPLOADED, verbose_name=_("status"))
    total_rows = models.PositiveIntegerField(default=0, verbose_name=_("total rows"))
    processed_rows = models.PositiveIntegerField(default=0, verbose_name=_("processed rows"))
    created_count = models.PositiveIntegerField(default=0, verbose_name=_("created count"))
    updated_count = models.PositiveIntegerField(default=0, verbose_name=_("updated count"))
    unchanged_count = models.PositiveIntegerField(default=0, verbose_name=_("unchanged count"))
    skipped_count = models.PositiveIntegerField(
        default=0, help_text=_("Rows left out for their errors (valid-rows mode)."), verbose_name=_("skipped count")
    )
    errors = models.JSONField(
        default=list,
        blank=True,
        help_text=_('[{"row": 3, "field": "mrr", "column": "MRR", "value": "abc", "reason": "..."}]'),
        verbose_name=_("errors"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(default=dj_timezone.now, verbose_name=_("created at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.file_name}"

    @property
    def percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0


class StripeEvent(models.Model):
    """A Stripe webhook event already handled: makes the endpoint idempotent on the event id,
    and `object_id` + `created` let a late, older event be recognised (out-of-order safety)."""

    event_id = models.CharField(max_length=255, unique=True, verbose_name=_("event ID"))
    type = models.CharField(max_length=100, verbose_name=_("type"))
    object_id = models.CharField(max_length=255, blank=True, verbose_name=_("object ID"))
    created = models.BigIntegerField(help_text=_("Stripe's event timestamp (Unix seconds)."), verbose_name=_("created"))
    applied = models.BooleanField(
        default=True, help_text=_("False when skipped as older than one applied."), verbose_name=_("applied")
    )
    received_at = models.DateTimeField(default=dj_timezone.now, verbose_name=_("received at"))

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["object_id", "created"], name="stripe_event_object_time")]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


# Section: custom fields and saved views (models in their packages, registered here)
