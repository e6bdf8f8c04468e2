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
from .health import (
    CsmSentimentFactory,
    HealthOverrideFactory,
    HealthScoreFactory,
    ScorecardFactory,
    ScorecardMeasureFactory,
)
from .onboarding import ChecklistTemplateFactory, ChecklistTemplateItemFactory, PersonaFactory
from .playbooks import EmailTemplateFactory, TaskFactory, TaskTemplateFactory

__all__ = [
    "AccountFactory",
    "ActivityFactory",
    "ChecklistTemplateFactory",
    "ChecklistTemplateItemFactory",
    "ContactFactory",
    "CsmSentimentFactory",
    "EmailTemplateFactory",
    "HealthOverrideFactory",
    "HealthScoreFactory",
    "PersonaFactory",
    "ScorecardFactory",
    "ScorecardMeasureFactory",
    "SubscriptionFactory",
    "SupportTicketFactory",
    "TaskFactory",
    "TaskTemplateFactory",
    "UsageEventFactory",
    "UserFactory",
]
