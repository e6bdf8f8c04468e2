from django.db import models

from accounts.choices import Tier


class MapVersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class MilestoneKind(models.TextChoices):
    MANUAL = "manual", "Ticked by hand"
    EVENT = "event", "Usage event"
    METRIC = "metric", "Metric condition"


class VehicleKind(models.TextChoices):
    TRAINING = "training", "Training in context"
    COMMUNITY = "community", "Community"
    CURRICULUM = "curriculum", "Curriculum"


class MetricOp(models.TextChoices):
    GTE = "gte", "≥"
    LTE = "lte", "≤"


class PlanStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ACHIEVED = "achieved", "Achieved"
    CLOSED = "closed", "Closed"


class CompletionSource(models.TextChoices):
    MANUAL = "manual", "By hand"
    CUSTOMER = "customer", "By the customer"
    EVENT = "event", "Usage event"
    METRIC = "metric", "Metric condition"


class TouchModel(models.TextChoices):
    TECH_TOUCH = "tech_touch", "Tech-touch (online content, self-configuration)"
    HIGH_TOUCH = "high_touch", "High-touch (sessions, strategic review)"


class ItemOwner(models.TextChoices):
    CSM = "csm", "CSM"
    CUSTOMER = "customer", "Customer"


class ChecklistStatus(models.TextChoices):
    ACTIVE = "active", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


# The touch model a tier gets when no template names the tier explicitly.
TIER_TOUCH = {
    Tier.STRATEGIC: TouchModel.HIGH_TOUCH,
    Tier.KEY: TouchModel.HIGH_TOUCH,
    Tier.STANDARD: TouchModel.TECH_TOUCH,
    Tier.TECH_TOUCH: TouchModel.TECH_TOUCH,
}
