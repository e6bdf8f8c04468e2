"""Choices of the renewals app's opportunities and pipeline."""

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
