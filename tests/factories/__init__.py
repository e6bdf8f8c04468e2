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

__all__ = [
    "AccountFactory",
    "ActivityFactory",
    "ContactFactory",
    "SubscriptionFactory",
    "SupportTicketFactory",
    "UsageEventFactory",
    "UserFactory",
]
