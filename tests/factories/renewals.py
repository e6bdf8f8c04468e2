"""Factories for renewals' risks and reasons (the default reason codes come from the migration)."""

from datetime import date
from decimal import Decimal

import factory

from renewals.models import ChurnReason, ReasonCode, Risk

from .accounts import AccountFactory


class ReasonCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReasonCode
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"reason-{n}")
    label = factory.Sequence(lambda n: f"Reason {n}")


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Risk

    account = factory.SubFactory(AccountFactory)
    type = "churn"
    reason_code = factory.SubFactory(ReasonCodeFactory)
    arr_at_risk = Decimal("12000.00")
    currency = "USD"
    severity = "high"
    owner = factory.LazyAttribute(lambda r: r.account.owner)


class ChurnReasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChurnReason

    account = factory.SubFactory(AccountFactory)
    kind = "churn"
    reason_code = factory.SubFactory(ReasonCodeFactory)
    arr_lost = Decimal("12000.00")
    currency = "USD"
    occurred_on = factory.LazyFunction(date.today)
    segment = factory.LazyAttribute(lambda r: r.account.segment)
    tier = factory.LazyAttribute(lambda r: r.account.tier)
