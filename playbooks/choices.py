from django.db import models


class TriggerType(models.TextChoices):
    HEALTH_BAND_CHANGE = "health_band_change", "Health band changes"
    HEALTH_DROP = "health_drop", "Health drops X points in N days"
    USAGE_DROP = "usage_drop", "Usage drops X% (last N days vs the N before)"
    SURVEY_ANSWER = "survey_answer", "Survey answer"
    RENEWAL_DUE = "renewal_due", "Renewal in N days"
    ONBOARDING_OVERDUE = "onboarding_overdue", "Onboarding item overdue"
    ONBOARDING_STALLED = "onboarding_stalled", "Onboarding checklist stalled"
    ENTITLEMENT_USAGE = "entitlement_usage", "Usage at X% of a plan entitlement"
    FEATURE_GROWTH = "feature_growth", "Sudden growth in a feature's use"
    SUBSCRIPTION_CHANGE = "subscription_change", "Subscription upgrade, downgrade or cancellation"
    PAYMENT_FAILED = "payment_failed", "Payment failed"
    CONTRACT_ANNIVERSARY = "contract_anniversary", "Contract anniversary"
    CONTACT_BIRTHDAY = "contact_birthday", "Contact birthday"
    NO_TOUCH = "no_touch", "No CSM touch for longer than the tier's cadence"
    SEGMENT_ENTERED = "segment_entered", "Account enters a segment"


class ActionType(models.TextChoices):
    TASK = "task", "Create a task"
    EMAIL = "email", "Email contacts"
    WEBHOOK = "webhook", "Call a webhook"
    SLACK = "slack", "Post to Slack"
    LIFECYCLE = "lifecycle", "Change lifecycle stage"
    SURVEY = "survey", "Send a survey"
    CHECKLIST = "checklist", "Start an onboarding checklist"
    SUCCESS_PLAN = "success_plan", "Start a success plan"


class Priority(models.IntegerChoices):
    LOW = 1, "Low"
    NORMAL = 2, "Normal"
    HIGH = 3, "High"
    URGENT = 4, "Urgent"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    SNOOZED = "snoozed", "Snoozed"
    DONE = "done", "Done"
    # Closed without being done: the account churned (docs/playbooks.md, "Churned accounts").
    CANCELLED = "cancelled", "Cancelled"


# Statuses that count as "open" for the one-open-task-per-account-and-playbook rule.
OPEN_STATUSES = (TaskStatus.OPEN, TaskStatus.SNOOZED)


class AssigneeRule(models.TextChoices):
    OWNER = "owner", "Account owner"
    OWNER_MANAGER = "owner_manager", "Owner's manager"
    USER = "user", "A named user"
    ROUND_ROBIN = "round_robin", "Round robin"
    LEAST_LOADED = "least_loaded", "Least loaded"


class EmailStatus(models.TextChoices):
    PENDING_APPROVAL = "pending", "Awaiting approval"
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    REJECTED = "rejected", "Rejected"
    SUPPRESSED = "suppressed", "Held by fatigue budget"
    FAILED = "failed", "Failed"


class PostKind(models.TextChoices):
    WEBHOOK = "webhook", "Webhook"
    SLACK = "slack", "Slack"


class PostStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class RunSource(models.TextChoices):
    NIGHTLY = "nightly", "Nightly"
    EVENT = "event", "Event"
    MANUAL = "manual", "Manual"


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
