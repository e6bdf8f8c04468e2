"""Account teams and bulk reassignments (issue 17): the models behind accounts.access (who may
write an account) and accounts.reassign (moving a book to another owner, with its undo).

Imported by accounts.models, so Django sees them as the accounts app's models; they refer to
Account by its app label only, to keep this module free of an import cycle."""

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from .choices import ReassignmentStatus, TeamRole


class AccountTeamMember(models.Model):
    """A user on an account's team, with their role there. Being on the team lets a CSM write
    the account (accounts.access); the owner is `Account.owner`, the team are the others."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="team_members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_teams")
    role = models.CharField(max_length=24, choices=TeamRole.choices, default=TeamRole.CSM)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["account_id", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["account", "user"], name="account_team_member_unique")]
        indexes = [models.Index(fields=["user", "account"], name="account_team_user")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.account_id} ({self.role})"


class ReassignmentJob(models.Model):
    """One bulk move of accounts to another owner: what was asked (`account_ids`, `steps`), its
    progress (`done` of `total`, polled by the page) and what it moved (`moved`: previous owner id
    → account ids; `step_records`: each registered step's own record), which the undo restores."""

    to_owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    account_ids = models.JSONField(default=list, blank=True)
    steps = models.JSONField(default=list, blank=True, help_text=_("Keys of the reassign steps chosen."))
    status = models.CharField(max_length=16, choices=ReassignmentStatus.choices, default=ReassignmentStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    moved = models.JSONField(default=dict, blank=True, help_text='{"<previous owner id or none>": [account ids]}')
    step_records = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"reassignment {self.pk} → {self.to_owner_id} ({self.status})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.done / self.total))

    @property
    def is_finished(self) -> bool:
        return self.status in (ReassignmentStatus.DONE, ReassignmentStatus.FAILED, ReassignmentStatus.UNDONE)
