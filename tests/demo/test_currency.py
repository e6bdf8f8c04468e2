from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Account, FxRate, Subscription
from usage import metrics

pytestmark = pytest.mark.django_db


def test_demo_bills_some_accounts_in_euros_and_pounds_with_rates():
    call_command("seed_demo", "--accounts", "120", "--seed", "3", "--only", "currency", verbosity=0)
    currencies = set(Account.objects.values_list("currency", flat=True))
    assert {"USD", "EUR", "GBP"} <= currencies
    mixed = Subscription.objects.exclude(currency__in=["USD"]).exclude(
        account__currency__in=["EUR", "GBP"]
    )  # a subscription follows its account's currency
    assert not mixed.exists()
    assert FxRate.objects.filter(source="demo", currency="EUR").count() >= 36
    # every paying account has its base figure: nothing is left out of the portfolio
    assert not Account.objects.filter(mrr__gt=0, mrr_base__isnull=True).exists()
    eur = Account.objects.filter(currency="EUR", mrr__gt=0).first()
    assert eur.mrr_base != eur.mrr and eur.mrr_base > Decimal(0)
    # the metrics' MRR today is the book's base MRR: the same conversion on both paths
    bases = list(Account.objects.filter(mrr_base__isnull=False).values_list("mrr_base", flat=True))
    # (each account's figure is rounded to the cent, the metric's total once)
    assert abs(metrics.mrr_on(day=timezone.now().date()) - sum(bases)) <= Decimal("0.01") * len(bases)
