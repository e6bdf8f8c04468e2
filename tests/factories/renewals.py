"""Factories for renewals: opportunities and the default pipeline, risks and reasons (the default
reason codes come from the migration)."""

from datetime import date, timedelta
from decimal import Decimal

import factory

from renewals.choices import ForecastCategory, OpportunityKind, StageKind
from renewals.models import ChurnReason, Opportunity, PipelineStage, ReasonCode, Risk

from .accounts import AccountFactory

DEFAULT_PIPELINE = [
    ("Up for renewal", 10, 50, StageKind.OPEN),
    ("Engaged", 20, 60, StageKind.OPEN),
    ("Proposal sent", 30, 75, StageKind.OPEN),
    ("Verbal commit", 40, 90, StageKind.OPEN),
    ("Closed won", 90, 100, StageKind.WON),
    ("Closed lost", 99, 0, StageKind.LOST),
]


def default_pipeline() -> list[PipelineStage]:
    """The data migration's pipeline (a transactional test's flush removes it: made again)."""
    if not PipelineStage.objects.exists():
        PipelineStage.objects.bulk_create(
            PipelineStage(name=n, order=o, probability=p, kind=k) for n, o, p, k in DEFAULT_PIPELINE
        )
    return list(PipelineStage.objects.all())


def stage_of(kind: str = StageKind.OPEN) -> PipelineStage:
    """The default pipeline's first stage of this kind."""
    default_pipeline()
    return PipelineStage.objects.filter(kind=kind).first()


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    kind = OpportunityKind.RENEWAL
    account = factory.SubFactory(AccountFactory)
    amount = Decimal("12000.00")
    currency = "USD"
    close_date = factory.LazyFunction(lambda: date.today() + timedelta(days=60))
    stage = factory.LazyFunction(stage_of)
    status = factory.LazyAttribute(lambda o: o.stage.kind)
    category = ForecastCategory.PIPELINE
    owner = factory.LazyAttribute(lambda o: o.account.owner)


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
