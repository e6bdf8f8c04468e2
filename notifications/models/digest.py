"""The daily digest's ledger: one row per user per local date, claimed before the e-mail goes."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DigestLog(models.Model):
    """A user's digest for one day of their own calendar (`local_date`). The unique pair makes the
    digest exactly-once: a sweep claims the row first and sends only for the rows it claimed, so
    two overlapping sweeps (or a retried one) never mail a user twice. `since` is what the digest
    covered from (the previous digest, or a day before)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    local_date = models.DateField()
    since = models.DateTimeField()
    claimed_at = models.DateTimeField(default=timezone.now)
    claim = models.CharField(max_length=32, help_text=_("The sweep that claimed the row."))
    sent_at = models.DateTimeField(null=True, blank=True)
    items = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-local_date", "user_id"]
        constraints = [models.UniqueConstraint(fields=["user", "local_date"], name="digest_once_per_local_day")]
        indexes = [models.Index(fields=["claim"], name="digest_claim")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.local_date}"
