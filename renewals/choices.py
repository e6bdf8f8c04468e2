"""Choices of the renewals app: opportunities and the pipeline, then risks and churn / downgrade
reasons."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OpportunityKind(models.TextChoices):
    RENEWAL = "renewal", _("Renewal")
    EXPANSION = "expansion", _("Expansion")
    DOWNSELL = "downsell", _("Downsell")


class StageKind(models.TextChoices):
    """What reaching a stage means: still open, closed won, closed lost."""

    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class ForecastCategory(models.TextChoices):
    COMMIT = "commit", _("Commit")
    BEST_CASE = "best_case", _("Best case")
    PIPELINE = "pipeline", _("Pipeline")
    AT_RISK = "at_risk", _("At risk")
    OMITTED = "omitted", _("Omitted")


class Outcome(models.TextChoices):
    """How an opportunity closed: by hand, or what the subscription did (the sweep)."""

    NONE = "", _("Open")
    MANUAL = "manual", _("Closed by hand")
    RENEWED = "renewed", _("Renewed")
    CHANGED = "changed", _("Renewed on a changed plan")
    CHURNED = "churned", _("Churned")
    REACTIVATED = "reactivated", _("Reactivated")


# Section: risks and churn / downgrade reasons
class RiskType(models.TextChoices):
    CHURN = "churn", _("Churn")
    DOWNGRADE = "downgrade", _("Downgrade")
    NON_PAYMENT = "non_payment", _("Non-payment")
    RELATIONSHIP = "relationship", _("Relationship")
    PRODUCT = "product", _("Product")


class RiskSeverity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MITIGATING = "mitigating", _("Mitigating")
    SAVED = "saved", _("Saved")
    LOST = "lost", _("Lost")


# A risk in one of these is still being worked (counts in "ARR at risk").
RISK_OPEN_STATUSES = (RiskStatus.OPEN, RiskStatus.MITIGATING)
RISK_CLOSED_STATUSES = (RiskStatus.SAVED, RiskStatus.LOST)


class RiskSource(models.TextChoices):
    MANUAL = "manual", _("By hand")
    PLAYBOOK = "playbook", _("Playbook")
    API = "api", _("API")


class LossKind(models.TextChoices):
    """What a churn / downgrade reason explains."""

    CHURN = "churn", _("Churn")
    DOWNGRADE = "downgrade", _("Downgrade")
