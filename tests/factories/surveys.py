"""Factories for the surveys app: workspaces, surveys, deliveries, send jobs and their
recipients, fatigue touches, theme tags and answers."""

import factory
from django.utils import timezone

from surveys.models import (
    FatigueTouch,
    ResponseTheme,
    Survey,
    SurveyDelivery,
    SurveyResponse,
    SurveySendJob,
    SurveySendRecipient,
    SurveyWorkspace,
)

from .accounts import AccountFactory, ContactFactory

__all__ = [
    "FatigueTouchFactory",
    "ResponseThemeFactory",
    "SurveyDeliveryFactory",
    "SurveyFactory",
    "SurveyResponseFactory",
    "SurveySendJobFactory",
    "SurveySendRecipientFactory",
    "SurveyWorkspaceFactory",
]


class SurveyWorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyWorkspace

    name = factory.Sequence(lambda n: f"Product {n}")
    allowed_origins = "http://localhost:8000\nhttps://app.example.com"


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    name = factory.Sequence(lambda n: f"Survey {n}")
    kind = "nps"
    status = "active"
    workspace = factory.SubFactory(SurveyWorkspaceFactory)


class SurveyResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyResponse

    kind = "nps"
    account = factory.SubFactory(AccountFactory)
    score = 9
    channel = "widget"  # a customer's answer (imports fire no playbook: pass channel="import" for those)
    submitted_at = factory.LazyFunction(timezone.now)
    dedupe_key = factory.Sequence(lambda n: f"t:{n}")
    followup_pending = False  # stored history, already followed up
    followup_count = 1


class SurveyDeliveryFactory(factory.django.DjangoModelFactory):
    """A contact asked by a survey (an e-mail by default), not answered yet."""

    class Meta:
        model = SurveyDelivery

    survey = factory.SubFactory(SurveyFactory)
    contact = factory.SubFactory(ContactFactory)
    account = factory.LazyAttribute(lambda d: d.contact.account if d.contact else None)
    channel = "email"
    sent_at = factory.LazyFunction(timezone.now)


class SurveySendJobFactory(factory.django.DjangoModelFactory):
    """An "Email the audience" run; queued unless given a status (one active job per survey)."""

    class Meta:
        model = SurveySendJob

    survey = factory.SubFactory(SurveyFactory)


class SurveySendRecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveySendRecipient

    job = factory.SubFactory(SurveySendJobFactory)
    contact = factory.SubFactory(ContactFactory)


class FatigueTouchFactory(factory.django.DjangoModelFactory):
    """A contact asked (by default) by e-mail now; pass `occurred_at` for an older touch."""

    class Meta:
        model = FatigueTouch

    contact = factory.SubFactory(ContactFactory)
    account = factory.LazyAttribute(lambda t: t.contact.account)
    channel = "email"
    kind = "asked"
    occurred_at = factory.LazyFunction(timezone.now)


class ResponseThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResponseTheme

    label = factory.Sequence(lambda n: f"theme {n}")
