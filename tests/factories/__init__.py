"""Factories for every app, re-exported here (STYLE.md §7). Apps add `tests/factories/<app>.py`."""

from .accounts import (
    AccountFactory,
    ActivityFactory,
    ContactFactory,
    SubscriptionFactory,
    SupportTicketFactory,
    UsageEventFactory,
)
from .core import UserFactory
from .onboarding import (
    AccountChecklistFactory,
    AccountChecklistItemFactory,
    ChecklistTemplateFactory,
    ChecklistTemplateItemFactory,
    MilestoneFactory,
    PersonaFactory,
    PlanGoalFactory,
    PlanShareLinkFactory,
    StageFactory,
    SuccessMapFactory,
    SuccessMapVersionFactory,
    SuccessPlanFactory,
    SuccessVehicleFactory,
)
from .playbooks import EmailTemplateFactory, TaskFactory, TaskTemplateFactory

__all__ = [
    "AccountChecklistFactory",
    "AccountChecklistItemFactory",
    "AccountFactory",
    "ActivityFactory",
    "ChecklistTemplateFactory",
    "ChecklistTemplateItemFactory",
    "ContactFactory",
    "EmailTemplateFactory",
    "MilestoneFactory",
    "PersonaFactory",
    "PlanGoalFactory",
    "PlanShareLinkFactory",
    "StageFactory",
    "SubscriptionFactory",
    "SuccessMapFactory",
    "SuccessMapVersionFactory",
    "SuccessPlanFactory",
    "SuccessVehicleFactory",
    "SupportTicketFactory",
    "TaskFactory",
    "TaskTemplateFactory",
    "UsageEventFactory",
    "UserFactory",
]
