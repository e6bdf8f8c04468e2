"""Success maps (versioned, per persona), success plans (per account, shared with the
customer through a signed link) and onboarding checklists (per tier, with time to first value).

Versioning: a map's content lives in a `SuccessMapVersion`. A published version is never
edited; editing the map creates a new draft version (a copy), which is published in its turn.
Plans point at the version they started on, so a map change never rewrites an account's plan.
Stages, milestones and vehicles carry a `key` that stays the same across versions, so the
board can place plans on older versions in the columns of the newest one.
"""

import secrets
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Tier
from accounts.models import Account, Contact, Persona
from core.choice_labels import ChoiceLabelsMixin
from core.content_translations import TranslatedContent

from .choices import (
    ChecklistStatus,
    CompletionSource,
    ItemOwner,
    MapVersionStatus,
    MetricOp,
    MilestoneKind,
    PlanStatus,
    TouchModel,
    VehicleKind,
)


def new_key() -> str:
    return secrets.token_hex(6)


# Section: settings


class OnboardingSettings(models.Model):
    """One row of team-wide settings (the admin edits them on the checklists page)."""

    value_event = models.CharField(
        max_length=128,
        blank=True,
        default="report_created",
        help_text=_("Usage event that means first value, unless a checklist template names its own."),
    )
    stalled_days = models.PositiveSmallIntegerField(
        default=14, help_text=_("A checklist with no item completed for this many days is stalled.")
    )
    stuck_days = models.PositiveSmallIntegerField(
        default=30, help_text=_("A plan with no stage progress for this many days is stuck.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = _("onboarding settings")

    def __str__(self) -> str:
        return str(_("Onboarding settings"))

    @classmethod
    def load(cls) -> "OnboardingSettings":
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


# Section: success maps


class SuccessMap(models.Model):
    """The road to the outcome a persona wants. Its content is versioned (see module doc)."""

    persona = models.ForeignKey(Persona, on_delete=models.CASCADE, related_name="success_maps")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["persona__name", "name"]
        constraints = [models.UniqueConstraint(fields=["persona", "name"], name="success_map_unique_name")]

    def __str__(self) -> str:
        return self.name


class SuccessMapVersion(ChoiceLabelsMixin, models.Model):
    success_map = models.ForeignKey(SuccessMap, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=MapVersionStatus.choices, default=MapVersionStatus.DRAFT)
    note = models.CharField(max_length=255, blank=True, help_text=_("What changed in this version."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["success_map_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["success_map", "number"], name="map_version_unique_number"),
            models.UniqueConstraint(
                fields=["success_map"],
                condition=Q(status=MapVersionStatus.DRAFT),
                name="map_version_one_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.success_map} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == MapVersionStatus.DRAFT


class Stage(TranslatedContent):
    """A step of the map. Its name and description are written per language (`translations`,
    core.content_translations); the shared plan shows them in the customer's language."""

    TRANSLATED_FIELDS = ("name", "description")

    version = models.ForeignKey(SuccessMapVersion, on_delete=models.CASCADE, related_name="stages")
    key = models.CharField(max_length=16, default=new_key, help_text=_("Same across versions."))
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["version_id", "position", "id"]

    def __str__(self) -> str:
        return self.name


class Milestone(TranslatedContent):
    """A step inside a stage. Ticked by hand, or automatically when the account sends
    `event_name`, or when the metric `metric_key` meets `metric_op` `metric_threshold`.
    Its title is written per language (`translations`)."""

    TRANSLATED_FIELDS = ("title",)

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="milestones")
    key = models.CharField(max_length=16, default=new_key)
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, choices=MilestoneKind.choices, default=MilestoneKind.MANUAL)
    event_name = models.CharField(max_length=128, blank=True)
    metric_key = models.CharField(max_length=32, blank=True)
    metric_op = models.CharField(max_length=3, choices=MetricOp.choices, default=MetricOp.GTE)
    metric_threshold = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["stage_id", "position", "id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.kind == MilestoneKind.EVENT and not self.event_name:
            raise ValidationError({"event_name": _("An automatic milestone needs the usage event's name.")})
        if self.kind == MilestoneKind.METRIC and (not self.metric_key or self.metric_threshold is None):
            raise ValidationError({"metric_key": _("A metric milestone needs a metric and a threshold.")})


class SuccessVehicle(TranslatedContent):
    """What helps the customer through a stage: training in context, a community, a curriculum.
    Its title is written per language (`translations`)."""

    TRANSLATED_FIELDS = ("title",)

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="vehicles")
    key = models.CharField(max_length=16, default=new_key)
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=VehicleKind.choices)
    url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["stage_id", "position", "id"]

    def __str__(self) -> str:
        return self.title


# Section: success plans


class SuccessPlan(ChoiceLabelsMixin, models.Model):
    """Where an account is on a map version and where it wants to be. One active plan per account."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="success_plans")
    map_version = models.ForeignKey(SuccessMapVersion, on_delete=models.PROTECT, related_name="plans")
    current_stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    target_stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="success_plans"
    )
    status = models.CharField(max_length=8, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    stage_changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(status=PlanStatus.ACTIVE), name="success_plan_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"Plan for {self.account_id} on {self.map_version_id}"


class PlanGoal(ChoiceLabelsMixin, models.Model):
    """A goal in a plan, owned by a CSM (`owner_user`) or a customer contact (`owner_contact`).
    Goals made from the map's milestones keep `milestone` and complete like it."""

    plan = models.ForeignKey(SuccessPlan, on_delete=models.CASCADE, related_name="goals")
    stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    milestone = models.ForeignKey(Milestone, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    due_date = models.DateField(null=True, blank=True)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner_contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)
    completion_source = models.CharField(max_length=8, choices=CompletionSource.choices, blank=True)

    class Meta:
        ordering = ["plan_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_user__isnull=True) | Q(owner_contact__isnull=True),
                name="plan_goal_one_owner",
            )
        ]
        indexes = [models.Index(fields=["plan", "completed_at"])]

    def __str__(self) -> str:
        return self.title

    def title_in(self, language: str | None) -> str:
        """The title in `language`: a goal made from a milestone and not renamed since reads as the
        milestone does in that language; a goal the CSM wrote reads as written."""
        if self.milestone_id and self.milestone.title == self.title:
            return self.milestone.text("title", language)
        return self.title

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None

    @property
    def owned_by_customer(self) -> bool:
        return self.owner_contact_id is not None


class PlanShareLink(models.Model):
    """A read-only link to a plan for the customer. The URL carries a signed token naming this
    row and its nonce; the row says whether the link still works (revoked, expired)."""

    plan = models.ForeignKey(SuccessPlan, on_delete=models.CASCADE, related_name="share_links")
    contact = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who it was shared with: the page speaks their language."),
    )
    nonce = models.CharField(max_length=32, default=new_key)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_viewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Link {self.pk} to plan {self.plan_id}"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


# Section: onboarding checklists


class ChecklistTemplate(models.Model):
    """The first steps after the sale for some tiers. `value_event` (else the team setting)
    is the usage event that means first value, for time to first value."""

    name = models.CharField(max_length=120, unique=True)
    touch_model = models.CharField(max_length=10, choices=TouchModel.choices)
    tiers = models.JSONField(default=list, blank=True, help_text=_("Account tiers this template is for."))
    value_event = models.CharField(max_length=128, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tier_labels(self) -> list[str]:
        labels = dict(Tier.choices)
        return [labels.get(tier, tier) for tier in self.tiers or []]


class ChecklistTemplateItem(TranslatedContent):
    """One step of a checklist template; title and description written per language."""

    TRANSLATED_FIELDS = ("title", "description")

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("title"), max_length=200)
    description = models.CharField(_("description"), max_length=500, blank=True)
    owner = models.CharField(max_length=8, choices=ItemOwner.choices, default=ItemOwner.CSM)
    due_offset_days = models.PositiveSmallIntegerField(default=7, help_text=_("Days after the contract start."))
    completion_event = models.CharField(
        max_length=128, blank=True, help_text=_("Usage event that completes the item; empty: ticked by hand.")
    )

    class Meta:
        ordering = ["template_id", "position", "id"]

    def __str__(self) -> str:
        return self.title


class AccountChecklist(ChoiceLabelsMixin, models.Model):
    """A template started for an account. Items are copied, so editing the template later
    does not rewrite checklists already running."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="checklists")
    template = models.ForeignKey(
        ChecklistTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="checklists"
    )
    name = models.CharField(max_length=120)
    contract_start = models.DateField(help_text=_("First paid subscription's start (or the day it was started)."))
    value_event = models.CharField(max_length=128, blank=True)
    status = models.CharField(max_length=10, choices=ChecklistStatus.choices, default=ChecklistStatus.ACTIVE)
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(status=ChecklistStatus.ACTIVE), name="checklist_one_active"
            )
        ]
        indexes = [models.Index(fields=["status", "started_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.account_id})"


class AccountChecklistItem(TranslatedContent):
    """A step of an account's checklist, copied from its template item with the item's
    translations of the title (so a later template edit rewrites neither)."""

    TRANSLATED_FIELDS = ("title",)

    checklist = models.ForeignKey(AccountChecklist, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    owner = models.CharField(max_length=8, choices=ItemOwner.choices, default=ItemOwner.CSM)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_date = models.DateField()
    completion_event = models.CharField(max_length=128, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completion_source = models.CharField(max_length=8, choices=CompletionSource.choices, blank=True)

    class Meta:
        ordering = ["checklist_id", "position", "id"]
        indexes = [
            models.Index(fields=["checklist", "completed_at"]),
            models.Index(fields=["due_date"], condition=Q(completed_at__isnull=True), name="checklist_item_open_due"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None

    def is_overdue(self, today: date) -> bool:
        return self.completed_at is None and self.due_date < today
