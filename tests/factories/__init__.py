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
from .playbooks import (
    EmailMessageFactory,
    EmailTemplateFactory,
    EnrolmentFactory,
    OutboundPostFactory,
    PlaybookFactory,
    PlaybookRunFactory,
    TaskFactory,
    TaskTemplateFactory,
)

__all__ = [
    "AccountFactory",
    "ActivityFactory",
    "ChecklistTemplateFactory",
    "ChecklistTemplateItemFactory",
    "ContactFactory",
    "EmailMessageFactory",
    "EmailTemplateFactory",
    "EnrolmentFactory",
    "OutboundPostFactory",
    "PersonaFactory",
    "PlaybookFactory",
    "PlaybookRunFactory",
    "SubscriptionFactory",
    "SupportTicketFactory",
    "TaskFactory",
    "TaskTemplateFactory",
    "UsageEventFactory",
    "UserFactory",
]
