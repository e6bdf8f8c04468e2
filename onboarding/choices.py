from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.choices import Tier


class MapVersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class MilestoneKind(models.TextChoices):
    MANUAL = "manual", _("Ticked by hand")
    EVENT = "event", _("Usage event")
    METRIC = "metric", _("Metric condition")


class VehicleKind(models.TextChoices):
    TRAINING = "training", _("Training in context")
    COMMUNITY = "community", _("Community")
    CURRICULUM = "curriculum", _("Curriculum")


class MetricOp(models.TextChoices):
    GTE = "gte", "≥"
    LTE = "lte", "≤"


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ACHIEVED = "achieved", _("Achieved")
    CLOSED = "closed", _("Closed")


class CompletionSource(models.TextChoices):
    MANUAL = "manual", _("By hand")
    CUSTOMER = "customer", _("By the customer")
    EVENT = "event", _("Usage event")
    METRIC = "metric", _("Metric condition")


class TouchModel(models.TextChoices):
    TECH_TOUCH = "tech_touch", _("Tech-touch (online content, self-configuration)")
    HIGH_TOUCH = "high_touch", _("High-touch (sessions, strategic review)")


class ItemOwner(models.TextChoices):
    CSM = "csm", _("CSM")
    CUSTOMER = "customer", _("Customer")


class ChecklistStatus(models.TextChoices):
    ACTIVE = "active", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# The touch model a tier gets when no template names the tier explicitly.
TIER_TOUCH = {
    Tier.STRATEGIC: TouchModel.HIGH_TOUCH,
    Tier.KEY: TouchModel.HIGH_TOUCH,
    Tier.STANDARD: TouchModel.TECH_TOUCH,
    Tier.TECH_TOUCH: TouchModel.TECH_TOUCH,
}
