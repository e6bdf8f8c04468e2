from datetime import date, timedelta
from decimal import Decimal

import factory

from renewals.choices import ForecastCategory, OpportunityKind, StageKind
from renewals.models import Opportunity, PipelineStage

from .accounts import AccountFactory


def stage_of(kind: str = StageKind.OPEN) -> PipelineStage:
    """The default pipeline's first stage of this kind (the data migration made it)."""
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
