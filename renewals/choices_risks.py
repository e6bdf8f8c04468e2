"""Choices of risk records and churn / downgrade reasons (beside the opportunities' choices)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
