from django.db import models
from django.utils.translation import gettext_lazy as _


class TriggerType(models.TextChoices):
    HEALTH_BAND_CHANGE = "health_band_change", _("Health band changes")
    HEALTH_DROP = "health_drop", _("Health drops X points in N days")
    USAGE_DROP = "usage_drop", _("Usage drops X% (last N days vs the N before)")
    SURVEY_ANSWER = "survey_answer", _("Survey answer")
    RENEWAL_DUE = "renewal_due", _("Renewal in N days")
    ONBOARDING_OVERDUE = "onboarding_overdue", _("Onboarding item overdue")
    ONBOARDING_STALLED = "onboarding_stalled", _("Onboarding checklist stalled")
    ENTITLEMENT_USAGE = "entitlement_usage", _("Usage at X percent of a plan entitlement")
    FEATURE_GROWTH = "feature_growth", _("Sudden growth in a feature's use")
    SUBSCRIPTION_CHANGE = "subscription_change", _("Subscription upgrade, downgrade or cancellation")
    PAYMENT_FAILED = "payment_failed", _("Payment failed")
    CONTRACT_ANNIVERSARY = "contract_anniversary", _("Contract anniversary")
    CONTACT_BIRTHDAY = "contact_birthday", _("Contact birthday")
    NO_TOUCH = "no_touch", _("No CSM touch for longer than the tier's cadence")
    SEGMENT_ENTERED = "segment_entered", _("Account enters a segment")


class ActionType(models.TextChoices):
    TASK = "task", _("Create a task")
    EMAIL = "email", _("Email contacts")
    WEBHOOK = "webhook", _("Call a webhook")
    SLACK = "slack", _("Post to Slack")
    LIFECYCLE = "lifecycle", _("Change lifecycle stage")
    SURVEY = "survey", _("Send a survey")
    CHECKLIST = "checklist", _("Start an onboarding checklist")
    SUCCESS_PLAN = "success_plan", _("Start a success plan")


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SNOOZED = "snoozed", _("Snoozed")
    DONE = "done", _("Done")
    # Closed without being done: the account churned (docs/playbooks.md, "Churned accounts").
    CANCELLED = "cancelled", _("Cancelled")


# Statuses that count as "open" for the one-open-task-per-account-and-playbook rule.
OPEN_STATUSES = (TaskStatus.OPEN, TaskStatus.SNOOZED)


class AssigneeRule(models.TextChoices):
    OWNER = "owner", _("Account owner")
    OWNER_MANAGER = "owner_manager", _("Owner's manager")
    USER = "user", _("A named user")
    ROUND_ROBIN = "round_robin", _("Round robin")
    LEAST_LOADED = "least_loaded", _("Least loaded")


class EmailStatus(models.TextChoices):
    PENDING_APPROVAL = "pending", _("Awaiting approval")
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    REJECTED = "rejected", _("Rejected")
    SUPPRESSED = "suppressed", _("Held by fatigue budget")
    FAILED = "failed", _("Failed")


class PostKind(models.TextChoices):
    WEBHOOK = "webhook", _("Webhook")
    SLACK = "slack", _("Slack")


class PostStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class RunSource(models.TextChoices):
    NIGHTLY = "nightly", _("Nightly")
    EVENT = "event", _("Event")
    MANUAL = "manual", _("Manual")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
