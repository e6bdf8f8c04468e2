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
from .onboarding import ChecklistTemplateFactory, ChecklistTemplateItemFactory, PersonaFactory
from .playbooks import EmailTemplateFactory, TaskFactory, TaskTemplateFactory
from .reports import (
    ExpansionSignalFactory,
    FeatureUseFactory,
    HealthBandDailyFactory,
    MetricCubeFactory,
    RefreshLogFactory,
)

__all__ = [
    "AccountFactory",
    "ActivityFactory",
    "ChecklistTemplateFactory",
    "ChecklistTemplateItemFactory",
    "ContactFactory",
    "EmailTemplateFactory",
    "ExpansionSignalFactory",
    "FeatureUseFactory",
    "HealthBandDailyFactory",
    "MetricCubeFactory",
    "PersonaFactory",
    "RefreshLogFactory",
    "SubscriptionFactory",
    "SupportTicketFactory",
    "TaskFactory",
    "TaskTemplateFactory",
    "UsageEventFactory",
    "UserFactory",
]
