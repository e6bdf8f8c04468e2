"""Factories for every app, re-exported here (STYLE.md §7). Apps add `tests/factories/<app>.py`."""

from .accounts import (
    AccountFactory,
    ActivityFactory,
    ContactFactory,
    SubscriptionFactory,
    SupportTicketFactory,
)
from .core import UserFactory
from .onboarding import ChecklistTemplateFactory, ChecklistTemplateItemFactory, PersonaFactory
from .playbooks import EmailTemplateFactory, TaskFactory, TaskTemplateFactory
from .usage import UsageEventFactory

__all__ = [
    "AccountFactory",
    "ActivityFactory",
    "ChecklistTemplateFactory",
    "ChecklistTemplateItemFactory",
    "ContactFactory",
    "EmailTemplateFactory",
    "PersonaFactory",
    "SubscriptionFactory",
    "SupportTicketFactory",
    "TaskFactory",
    "TaskTemplateFactory",
    "UsageEventFactory",
    "UserFactory",
]
