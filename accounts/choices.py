from django.db import models


class Tier(models.TextChoices):
    STRATEGIC = "strategic", "Strategic"
    KEY = "key", "Key"
    STANDARD = "standard", "Standard"
    TECH_TOUCH = "tech_touch", "Tech-touch"


class LifecycleStage(models.TextChoices):
    TRIAL = "trial", "Trial"
    ONBOARDING = "onboarding", "Onboarding"
    ADOPTION = "adoption", "Adoption"
    MATURE = "mature", "Mature"
    RENEWAL = "renewal", "Renewal"
    AT_RISK = "at_risk", "At risk"
    CHURNED = "churned", "Churned"


class HealthBand(models.TextChoices):
    RED = "red", "Red"
    YELLOW = "yellow", "Yellow"
    GREEN = "green", "Green"


class ActivityKind(models.TextChoices):
    NOTE = "note", "Note"
    CALL = "call", "Call"
    MEETING = "meeting", "Meeting"
    EMAIL = "email", "Email"
    TASK = "task", "Task"
    SYSTEM = "system", "System"
    # A field of the account or a contact changed: who, when, before and after (accounts.changelog).
    CHANGE = "change", "Change"


# Kinds that count as a CSM touching the account (touch cadence).
TOUCH_KINDS = (ActivityKind.NOTE, ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.EMAIL)


class TicketPriority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class TicketStatus(models.TextChoices):
    OPEN = "open", "Open"
    PENDING = "pending", "Pending"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


class CostCategory(models.TextChoices):
    STAFF = "staff", "Staff"
    TOOLS = "tools", "Tools"
    LOYALTY = "loyalty", "Loyalty programmes"
    OTHER = "other", "Other"


class ReferralStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class TeamRole(models.TextChoices):
    """A user's role on an account team (accounts.team_models.AccountTeamMember)."""

    OWNER = "owner", "Owner"
    CSM = "csm", "CSM"
    EXECUTIVE_SPONSOR = "executive_sponsor", "Executive sponsor"
    SUPPORT_LEAD = "support_lead", "Support lead"
    OTHER = "other", "Other"


class ReassignmentStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Moving"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    UNDONE = "undone", "Undone"
