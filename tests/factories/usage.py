import factory
from django.utils import timezone

from usage.models import UsageEvent

from .accounts import AccountFactory


class UsageEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UsageEvent

    account = factory.SubFactory(AccountFactory)
    event = "report_viewed"
    occurred_at = factory.LazyFunction(timezone.now)
    message_id = factory.Sequence(lambda n: f"msg-{n}")
