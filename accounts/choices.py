from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Tier(models.TextChoices):
    STRATEGIC = "strategic", _("Strategic")
    KEY = "key", pgettext_lazy("tier", "Key")
    STANDARD = "standard", _("Standard")
    TECH_TOUCH = "tech_touch", _("Tech-touch")


class LifecycleStage(models.TextChoices):
    TRIAL = "trial", _("Trial")
    ONBOARDING = "onboarding", _("Onboarding")
    ADOPTION = "adoption", _("Adoption")
    MATURE = "mature", _("Mature")
    RENEWAL = "renewal", _("Renewal")
    AT_RISK = "at_risk", _("At risk")
    CHURNED = "churned", _("Churned")


class HealthBand(models.TextChoices):
    RED = "red", _("Red")
    YELLOW = "yellow", _("Yellow")
    GREEN = "green", _("Green")


class ActivityKind(models.TextChoices):
    NOTE = "note", pgettext_lazy("timeline kind", "Note")
    CALL = "call", pgettext_lazy("timeline kind", "Call")
    MEETING = "meeting", pgettext_lazy("timeline kind", "Meeting")
    EMAIL = "email", pgettext_lazy("timeline kind", "Email")
    TASK = "task", pgettext_lazy("timeline kind", "Task")
    SYSTEM = "system", pgettext_lazy("timeline kind", "System")
    # A field of the account or a contact changed: who, when, before and after (accounts.changelog).
    CHANGE = "change", pgettext_lazy("timeline kind", "Change")


# Kinds that count as a CSM touching the account (touch cadence).
TOUCH_KINDS = (ActivityKind.NOTE, ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.EMAIL)


class TicketPriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class TicketStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("ticket status", "Open")
    PENDING = "pending", _("Pending")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", pgettext_lazy("ticket status", "Closed")


class CostCategory(models.TextChoices):
    STAFF = "staff", _("Staff")
    TOOLS = "tools", _("Tools")
    LOYALTY = "loyalty", _("Loyalty programmes")
    OTHER = "other", _("Other")


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class TeamRole(models.TextChoices):
    """A user's role on an account team (accounts.team_models.AccountTeamMember)."""

    OWNER = "owner", _("Owner")
    CSM = "csm", _("CSM")
    EXECUTIVE_SPONSOR = "executive_sponsor", _("Executive sponsor")
    SUPPORT_LEAD = "support_lead", _("Support lead")
    OTHER = "other", _("Other")


class ReassignmentStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("job status", "Queued")
    RUNNING = "running", _("Moving")
    DONE = "done", pgettext_lazy("job status", "Done")
    FAILED = "failed", pgettext_lazy("job status", "Failed")
    UNDONE = "undone", _("Undone")
