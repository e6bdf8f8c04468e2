from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.choices import ActivityKind, Tier
from accounts.models import Account, Activity, Contact, FxRate, PaymentFailure, Subscription, SupportTicket

from .core import UserFactory


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    external_id = factory.Sequence(lambda n: f"acc-{n}")
    name = factory.Sequence(lambda n: f"Account {n}")
    domain = factory.LazyAttribute(lambda a: f"{a.external_id}.example.com")
    tier = Tier.STANDARD
    segment = "SMB"
    owner = factory.SubFactory(UserFactory)
    currency = "USD"
    mrr = Decimal("0")
    # What accounts.currency.account_base_mrr_refresh gives an account billed in the base currency;
    # in another currency the base figure waits for a rate.
    mrr_base = factory.LazyAttribute(lambda a: a.mrr if a.currency == "USD" else None)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    external_id = factory.Sequence(lambda n: f"user-{n}")
    account = factory.SubFactory(AccountFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"contact{n}@customer.example")


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    account = factory.SubFactory(AccountFactory)
    plan = "Growth"
    mrr = Decimal("1000.00")
    seats = 10
    start_date = factory.LazyFunction(lambda: date.today() - timedelta(days=100))
    end_date = None
    is_trial = False


class SupportTicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportTicket

    external_id = factory.Sequence(lambda n: f"T-{n}")
    account = factory.SubFactory(AccountFactory)
    subject = "Cannot export"
    opened_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=2))


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    account = factory.SubFactory(AccountFactory)
    kind = ActivityKind.NOTE
    subject = "Check-in"
    body = "Talked about the roadmap."


class FxRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FxRate
        django_get_or_create = ("currency", "month")

    currency = "EUR"
    month = factory.LazyFunction(lambda: date.today().replace(day=1))
    rate = Decimal("1.1")
    source = "test"


class PaymentFailureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentFailure

    account = factory.SubFactory(AccountFactory)
    amount = Decimal("500.00")
    currency = "USD"
    failed_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
