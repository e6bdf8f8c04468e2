"""Playbooks (a trigger, conditions and actions), what they did (runs, enrolments, tasks,
emails, outbound posts) and the templates their actions use.

Exactly-once lives in the database, not in Python checks:
- `Enrolment` has one row per (playbook, account, trigger occurrence): the evaluation inserts
  with ON CONFLICT DO NOTHING, so a re-run or a second worker finds the row and does nothing.
- `Task` has a partial unique index on (account, playbook, step) while the task is open or
  snoozed, so there are never two open tasks from the same playbook step for one account.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choice_labels import ChoiceLabelsMixin
from core.content_translations import TranslatedContent

from .choices import (
    OPEN_STATUSES,
    AssigneeRule,
    EmailStatus,
    PostKind,
    PostStatus,
    Priority,
    RunSource,
    RunStatus,
    TaskStatus,
    TriggerType,
)

__all__ = [
    "EmailMessage",
    "EmailTemplate",
    "Enrolment",
    "OutboundPost",
    "Playbook",
    "PlaybookRun",
    "PlaybookVersion",
    "SegmentMembership",
    "Task",
    "TaskTemplate",
]


# Section: templates


class TaskTemplate(ChoiceLabelsMixin, models.Model):
    """What a task action creates. `title` and `body` are Django templates rendered with
    `account`, `reason`, `signal` and `playbook`."""

    name = models.CharField(max_length=120, unique=True)
    title = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    due_in_days = models.PositiveSmallIntegerField(default=3)
    assignee_rule = models.CharField(max_length=16, choices=AssigneeRule.choices, default=AssigneeRule.OWNER)
    assignee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("For 'a named user'."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EmailTemplate(TranslatedContent):
    """An email to customer contacts. `subject` and `body` are Django templates rendered with
    `account`, `contact`, `csm`, `reason` and `signal` (plain text, no HTML escaping), written in
    the default language; `translations` holds them in other languages, and each contact gets
    the one in their language, else the default (core.content_translations)."""

    TRANSLATED_FIELDS = ("subject", "body")

    name = models.CharField(max_length=120, unique=True)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# Section: playbooks


class PlaybookQuerySet(models.QuerySet):
    def enabled(self):
        return self.filter(enabled=True)


class Playbook(ChoiceLabelsMixin, models.Model):
    """A trigger (type + params), conditions on the account, and a list of actions.

    `trigger_params`, `conditions` and `actions` are validated by `playbooks.triggers` and
    `playbooks.actions` in `clean()`; `version` goes up and a `PlaybookVersion` snapshot is
    stored on every save through `playbooks.services.playbook_save`.
    """

    name = models.CharField(max_length=160, unique=True)
    description = models.TextField(blank=True)
    trigger_type = models.CharField(max_length=32, choices=TriggerType.choices)
    trigger_params = models.JSONField(default=dict, blank=True)
    conditions = models.JSONField(
        default=dict,
        blank=True,
        help_text="tiers, segments, lifecycle_stages, personas (lists), arr_min, arr_max (numbers).",
    )
    actions = models.JSONField(default=list, blank=True)
    enabled = models.BooleanField(default=False, db_index=True)
    cooldown_days = models.PositiveSmallIntegerField(
        default=30, help_text=_("After an account enrols, it cannot enrol again for this many days.")
    )
    max_enrolments = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Re-enrolment cap: at most this many enrolments per account (empty: no cap)."),
    )
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    last_run_at = models.DateTimeField(null=True, blank=True)

    objects = PlaybookQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .actions import actions_validate
        from .conditions import conditions_validate
        from .triggers import get_trigger

        errors: dict[str, list[str]] = {}
        try:
            trigger = get_trigger(self.trigger_type)
        except KeyError:
            errors["trigger_type"] = [f"Unknown trigger {self.trigger_type!r}."]
        else:
            for field, message in trigger.validate(self.trigger_params or {}).items():
                errors.setdefault("trigger_params", []).append(f"{field}: {message}")
        for field, message in conditions_validate(self.conditions or {}).items():
            errors.setdefault("conditions", []).append(f"{field}: {message}")
        for field, message in actions_validate(self.actions or []).items():
            errors.setdefault("actions", []).append(f"{field}: {message}")
        if errors:
            raise ValidationError(errors)

    @property
    def has_task_action(self) -> bool:
        return any(a.get("type") == "task" for a in self.actions or [])

    @property
    def targets_churned(self) -> bool:
        """Whether churned accounts are in this playbook's audience (a win-back playbook): its
        conditions list the Churned stage, or its trigger is entering that stage. Every other
        playbook leaves churned accounts out (docs/playbooks.md, "Churned accounts")."""
        from accounts.choices import LifecycleStage

        if LifecycleStage.CHURNED in ((self.conditions or {}).get("lifecycle_stages") or []):
            return True
        params = self.trigger_params or {}
        return (
            self.trigger_type == TriggerType.SEGMENT_ENTERED
            and params.get("field") == "lifecycle_stage"
            and params.get("value") == LifecycleStage.CHURNED
        )

    @property
    def handles_churn(self) -> bool:
        """Its tasks are about churn, so they stay open when the account churns: it targets
        churned accounts, or it sets the Churned stage itself (say, an exit interview task
        next to "set stage Churned")."""
        from accounts.choices import LifecycleStage

        return self.targets_churned or any(
            a.get("type") == "lifecycle" and a.get("stage") == LifecycleStage.CHURNED for a in self.actions or []
        )

    def snapshot(self) -> dict:
        return {
            "name": self.name,
            "description": self.description,
            "trigger_type": self.trigger_type,
            "trigger_params": self.trigger_params,
            "conditions": self.conditions,
            "actions": self.actions,
            "enabled": self.enabled,
            "cooldown_days": self.cooldown_days,
            "max_enrolments": self.max_enrolments,
        }


class PlaybookVersion(models.Model):
    """The playbook as it was saved: a full snapshot per version, newest first."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["playbook_id", "-version"]
        constraints = [models.UniqueConstraint(fields=["playbook", "version"], name="playbook_version_unique")]

    def __str__(self) -> str:
        return f"{self.playbook_id} v{self.version}"


class PlaybookRun(ChoiceLabelsMixin, models.Model):
    """One evaluation of one playbook: how many accounts matched, were skipped and why, and
    were enrolled. The per-account detail is on the run's enrolments (reason + outcome) and,
    for skips, a sample in `details`."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="runs")
    source = models.CharField(max_length=8, choices=RunSource.choices)
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.RUNNING)
    as_of = models.DateField()
    playbook_version = models.PositiveIntegerField(default=0)
    account_ids = models.JSONField(null=True, blank=True, help_text="Set when the run was limited to some accounts.")
    matched = models.PositiveIntegerField(default=0)
    enrolled = models.PositiveIntegerField(default=0)
    skipped = models.JSONField(default=dict, blank=True, help_text="{reason: count}")
    details = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["playbook", "-started_at"])]

    def __str__(self) -> str:
        return f"run {self.pk} of {self.playbook_id} ({self.source})"

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values()) if self.skipped else 0


class Enrolment(models.Model):
    """An account entering a playbook for one trigger occurrence. The unique key on
    (playbook, account, occurrence_key) makes every occurrence act at most once."""

    # Indexed by (playbook, created_at) below, which also serves lookups by playbook alone.
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="enrolments", db_index=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="playbook_enrolments")
    occurrence_key = models.CharField(max_length=191)
    run = models.ForeignKey(PlaybookRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="enrolments")
    reason = models.TextField()
    # The reason in any reader's language (playbooks.reasons); {} for older rows.
    reason_data = models.JSONField(default=dict, blank=True)
    signal = models.JSONField(default=dict, blank=True)
    outcome = models.JSONField(default=list, blank=True, help_text="What each action did.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["playbook", "account", "occurrence_key"], name="enrolment_once_per_occurrence"
            )
        ]
        indexes = [
            models.Index(fields=["playbook", "account", "-created_at"], name="enrolment_cooldown"),
            # The playbook list's "enrolled in 30 days": a range of one playbook's entries.
            models.Index(fields=["playbook", "created_at"], name="enrolment_playbook_created"),
        ]

    def __str__(self) -> str:
        return f"{self.playbook_id}/{self.account_id}/{self.occurrence_key}"


class OverrideStageChange(models.Model):
    """A lifecycle stage a playbook set because of a CSM's health override (a playbook that fires
    on overrides). When the override ends the stage goes back to `from_stage` if it is still
    `to_stage` (playbooks.overrides). `settled_at`: that end was handled (once); `restored_at`:
    the stage was put back. The override is named by id: health stays optional for playbooks."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    health_override_id = models.PositiveBigIntegerField(db_index=True)
    playbook = models.ForeignKey(Playbook, null=True, on_delete=models.SET_NULL, related_name="+")
    enrolment = models.ForeignKey(Enrolment, null=True, on_delete=models.SET_NULL, related_name="+")
    from_stage = models.CharField(max_length=16)
    to_stage = models.CharField(max_length=16)
    created_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)
    restored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.from_stage} → {self.to_stage} (override {self.health_override_id})"


class SegmentMembership(models.Model):
    """Who is in a 'segment entered' playbook's segment as of its last evaluation; a new row
    is an account entering (its id is part of the occurrence key, so re-entering fires again)."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)
    baseline = models.BooleanField(default=False, help_text="Already in when the playbook was first evaluated.")

    class Meta:
        ordering = ["playbook_id", "account_id"]
        constraints = [models.UniqueConstraint(fields=["playbook", "account"], name="segment_membership_unique")]

    def __str__(self) -> str:
        return f"{self.playbook_id}/{self.account_id}"


# Section: tasks


class TaskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def actionable(self, today):
        """Open, or snoozed until today or earlier."""
        return self.filter(Q(status=TaskStatus.OPEN) | Q(status=TaskStatus.SNOOZED, snoozed_until__lte=today))


class Task(ChoiceLabelsMixin, models.Model):
    """Something a CSM should do for an account, with the reason (the signal) that created it."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="tasks")
    # Indexed by (playbook, status) below, which also serves lookups by playbook alone.
    playbook = models.ForeignKey(
        Playbook, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks", db_index=False
    )
    enrolment = models.ForeignKey(Enrolment, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    step = models.PositiveSmallIntegerField(default=0, help_text="Index of the playbook action that created it.")
    template = models.ForeignKey(TaskTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    reason = models.TextField(blank=True, help_text='The signal, e.g. "health fell from 72 to 41 in 7 days".')
    # The reason in any reader's language (playbooks.reasons); {} for tasks made by hand.
    reason_data = models.JSONField(default=dict, blank=True)
    signal = models.JSONField(default=dict, blank=True)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    due_date = models.DateField()
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    status = models.CharField(max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    snoozed_until = models.DateField(null=True, blank=True)
    outcome_note = models.TextField(blank=True, help_text=_("What the CSM did, or why the task was cancelled."))
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "-priority", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "playbook", "step"],
                condition=Q(status__in=OPEN_STATUSES) & Q(playbook__isnull=False),
                name="task_one_open_per_account_playbook",
            ),
            models.CheckConstraint(
                condition=~Q(status=TaskStatus.SNOOZED) | Q(snoozed_until__isnull=False),
                name="task_snoozed_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["assignee", "status", "due_date"], name="task_inbox"),
            models.Index(fields=["account", "status"], name="task_account_status"),
            # The playbook list's open tasks: one playbook's open entries, not its whole history.
            models.Index(fields=["playbook", "status"], name="task_playbook_status"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


# Section: outbound


class EmailMessage(ChoiceLabelsMixin, models.Model):
    """Outbound email log. A playbook email is queued (or held for the CSM's approval, or held
    by the contact's fatigue budget) and sent by a Celery task; each row is sent at most once."""

    playbook = models.ForeignKey(Playbook, null=True, blank=True, on_delete=models.SET_NULL, related_name="emails")
    enrolment = models.ForeignKey(Enrolment, null=True, blank=True, on_delete=models.SET_NULL, related_name="emails")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="playbook_emails")
    contact = models.ForeignKey("accounts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    template = models.ForeignKey(EmailTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_email = models.EmailField()
    subject = models.CharField(max_length=255)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=EmailStatus.choices, default=EmailStatus.QUEUED)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "account"], name="email_status_account")]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "contact", "template"],
                condition=Q(enrolment__isnull=False),
                name="email_once_per_enrolment_contact",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_email}"


class OutboundPost(models.Model):
    """A webhook call or Slack post made by a playbook action, sent by a Celery task."""

    playbook = models.ForeignKey(Playbook, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts")
    enrolment = models.ForeignKey(Enrolment, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts")
    kind = models.CharField(max_length=8, choices=PostKind.choices)
    url = models.URLField(max_length=500)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=PostStatus.choices, default=PostStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.url}"
