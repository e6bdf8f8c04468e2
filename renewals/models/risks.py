"""Risk and escalation records, the admin-configured reason codes they (and lost revenue)
are filed under, the churn / downgrade reasons, and the prompts that ask a CSM for a reason
when a cancellation or a downgrade arrived without one (API, CSV, Stripe)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language

from core.choice_labels import ChoiceLabelsMixin

from ..choices import RISK_OPEN_STATUSES, LossKind, RiskSeverity, RiskSource, RiskStatus, RiskType

__all__ = ["ChurnReason", "ReasonCode", "ReasonPrompt", "Risk"]

# The languages a reason code's label is written in besides English (settings.LANGUAGES).
LABEL_LANGUAGES = ("ar", "fa", "zh-hans")


class ReasonCode(models.Model):
    """One entry of the admin's list of reasons ("Price", "Missing feature", ...), used by risks
    and by churn / downgrade reasons. Archived codes stay on old records but are not offered."""

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=120, help_text="English label.")
    labels = models.JSONField(default=dict, blank=True, help_text='{"ar": "...", "fa": "...", "zh-hans": "..."}')
    archived = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["order", "label", "id"]

    def __str__(self) -> str:
        return self.label_for()

    def label_for(self, language: str | None = None) -> str:
        """The label in `language` (default: the active one), falling back to English."""
        language = (language or get_language() or "en").lower()
        return (self.labels or {}).get(language) or self.label


class Risk(ChoiceLabelsMixin, models.Model):
    """A risk or escalation on an account: what kind, why (reason code), how much ARR, how bad,
    who works it, by when, the plan, the tasks that carry it out; closed as saved or lost."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="risks")
    type = models.CharField(max_length=16, choices=RiskType.choices)
    reason_code = models.ForeignKey(ReasonCode, on_delete=models.PROTECT, related_name="risks")
    arr_at_risk = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="USD")
    severity = models.CharField(max_length=16, choices=RiskSeverity.choices, default=RiskSeverity.MEDIUM)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="risks"
    )
    status = models.CharField(max_length=16, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    due_date = models.DateField(null=True, blank=True)
    mitigation_plan = models.TextField(blank=True)
    source = models.CharField(max_length=16, choices=RiskSource.choices, default=RiskSource.MANUAL)
    playbook = models.ForeignKey(
        "playbooks.Playbook", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tasks = models.ManyToManyField("playbooks.Task", blank=True, related_name="risks")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    outcome_note = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            # A playbook opens at most one live risk of a type per account (its reruns are no-ops).
            models.UniqueConstraint(
                fields=["account", "playbook", "type"],
                condition=Q(status__in=RISK_OPEN_STATUSES) & Q(playbook__isnull=False),
                name="risk_one_open_per_account_playbook",
            ),
            models.CheckConstraint(condition=Q(arr_at_risk__gte=0), name="risk_arr_not_negative"),
        ]
        indexes = [
            models.Index(fields=["status", "type"], name="risk_status_type"),
            models.Index(fields=["owner", "status"], name="risk_owner_status"),
            models.Index(fields=["account", "status"], name="risk_account_status"),
            # The risks list's default page: live risks by due date (ASC is NULLS LAST), newest first.
            models.Index(fields=["due_date", "-id"], condition=Q(status__in=RISK_OPEN_STATUSES), name="risk_live_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} risk on {self.account_id}"

    @property
    def is_open(self) -> bool:
        return self.status in RISK_OPEN_STATUSES


class ChurnReason(models.Model):
    """Why an account left (churn) or pays less (downgrade): the reason code, a note, the ARR
    lost in the subscription's currency, who said so and when; `occurred_on` is the day the loss
    took effect (the period reports count it in)."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="churn_reasons")
    subscription = models.ForeignKey(
        "accounts.Subscription", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=LossKind.choices)
    reason_code = models.ForeignKey(ReasonCode, on_delete=models.PROTECT, related_name="churn_reasons")
    note = models.TextField(blank=True)
    arr_lost = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="USD")
    occurred_on = models.DateField()
    # The account as it was when it left (reports group by these): segment, tier, and days
    # from the account's creation to `occurred_on`.
    segment = models.CharField(max_length=64, blank=True)
    tier = models.CharField(max_length=16, blank=True)
    tenure_days = models.PositiveIntegerField(default=0)
    change_key = models.CharField(max_length=191, blank=True, db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["occurred_on", "kind"], name="churnreason_day_kind")]
        constraints = [models.CheckConstraint(condition=Q(arr_lost__gte=0), name="churnreason_arr_not_negative")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.reason_code_id}"


class ReasonPrompt(models.Model):
    """A cancellation or downgrade that arrived without a reason (API, CSV, Stripe): one per
    subscription change (`change_key`), with the owner's task; answered by a ChurnReason."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    subscription = models.ForeignKey(
        "accounts.Subscription", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=LossKind.choices)
    change_key = models.CharField(max_length=191, unique=True)
    arr_lost = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="USD")
    occurred_on = models.DateField()
    task = models.ForeignKey("playbooks.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.OneToOneField(ChurnReason, null=True, blank=True, on_delete=models.SET_NULL, related_name="prompt")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "reason"], name="reasonprompt_account")]

    def __str__(self) -> str:
        return self.change_key
