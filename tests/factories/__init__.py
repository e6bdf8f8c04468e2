"""Factories for every app, re-exported here (STYLE.md §7). Apps add `tests/factories/<app>.py`."""

from .accounts import (
    AccountFactory,
    ActivityFactory,
    ContactFactory,
    SubscriptionFactory,
    SupportTicketFactory,
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
from .surveys import (
    FatigueTouchFactory,
    ResponseThemeFactory,
    SurveyDeliveryFactory,
    SurveyFactory,
    SurveyResponseFactory,
    SurveySendJobFactory,
    SurveySendRecipientFactory,
    SurveyWorkspaceFactory,
)
from .usage import UsageEventFactory

__all__ = [
    "AccountFactory",
    "ActivityFactory",
    "ChecklistTemplateFactory",
    "ChecklistTemplateItemFactory",
    "ContactFactory",
    "CsmSentimentFactory",
    "EmailMessageFactory",
    "EmailTemplateFactory",
    "EnrolmentFactory",
    "FatigueTouchFactory",
    "HealthOverrideFactory",
    "HealthScoreFactory",
    "OutboundPostFactory",
    "PersonaFactory",
    "PlaybookFactory",
    "PlaybookRunFactory",
    "ResponseThemeFactory",
    "ScorecardFactory",
    "ScorecardMeasureFactory",
    "SubscriptionFactory",
    "SupportTicketFactory",
    "SurveyDeliveryFactory",
    "SurveyFactory",
    "SurveyResponseFactory",
    "SurveySendJobFactory",
    "SurveySendRecipientFactory",
    "SurveyWorkspaceFactory",
    "TaskFactory",
    "TaskTemplateFactory",
    "UsageEventFactory",
    "UserFactory",
]
