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

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="team_members", verbose_name=_("account")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_teams", verbose_name=_("user")
    )
    role = models.CharField(max_length=24, choices=TeamRole.choices, default=TeamRole.CSM, verbose_name=_("role"))
    created_at = models.DateTimeField(default=dj_timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("account team member")
        verbose_name_plural = _("account team members")
        ordering = ["account_id", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["account", "user"], name="account_team_member_unique")]
        indexes = [models.Index(fields=["user", "account"], name="account_team_user")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.account_id} ({self.role})"


class ReassignmentJob(models.Model):
    """One bulk move of accounts to another owner: what was asked (`account_ids`, `steps`), its
    progress (`done` of `total`, polled by the page) and what it moved (`moved`: previous owner id
    → account ids; `step_records`: each registered step's own record), which the undo restores."""

    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("new owner")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    account_ids = models.JSONField(default=list, blank=True, verbose_name=_("account IDs"))
    steps = models.JSONField(
        default=list, blank=True, help_text=_("Keys of the reassign steps chosen."), verbose_name=_("steps")
    )
    status = models.CharField(
        max_length=16, choices=ReassignmentStatus.choices, default=ReassignmentStatus.QUEUED, verbose_name=_("status")
    )
    total = models.PositiveIntegerField(default=0, verbose_name=_("total"))
    done = models.PositiveIntegerField(default=0, verbose_name=_("done"))
    moved = models.JSONField(
        default=dict, blank=True, help_text=_('{"<previous owner id or none>": [account ids]}'), verbose_name=_("moved")
    )
    step_records = models.JSONField(default=dict, blank=True, verbose_name=_("step records"))
    error = models.TextField(blank=True, verbose_name=_("error"))
    created_at = models.DateTimeField(default=dj_timezone.now, verbose_name=_("created at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))
    undone_at = models.DateTimeField(null=True, blank=True, verbose_name=_("undone at"))

    class Meta:
        verbose_name = _("reassignment job")
        verbose_name_plural = _("reassignment jobs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"reassignment {self.pk} → {self.to_owner_id} ({self.status})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.done / self.total))

    @property
    def is_finished(self) -> bool:
        return self.status in (ReassignmentStatus.DONE, ReassignmentStatus.FAILED, ReassignmentStatus.UNDONE)
