"""The renewals demo step: the sweep over the demo's subscriptions (closed won and lost in the
last months, open for the next 120 days), categories and calls on the open ones; deterministic."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from demo.context import DemoContext
from demo.renewals import renewals_demo_step
from renewals.choices import OpportunityKind, StageKind
from renewals.models import Opportunity
from tests.factories import AccountFactory, SubscriptionFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 1)


def _book():
    csm = UserFactory()
    for i in range(12):
        band = ["green", "yellow", "red"][i % 3]
        account = AccountFactory(owner=csm, health_band=band)
        end = TODAY + timedelta(days=-100 + 20 * i)  # from 100 days ago to 120 days on
        SubscriptionFactory(account=account, start_date=end - timedelta(days=365), end_date=end, mrr=Decimal("100"))
        if i % 4 != 0 and end <= TODAY:  # three in four of the past ones renewed
            SubscriptionFactory(account=account, start_date=end, end_date=None, mrr=Decimal("100"))


def _run():
    ctx = DemoContext(seed=3, n_accounts=12, today=TODAY, rng=random.Random(3), log=lambda m: None, extra={})
    renewals_demo_step(ctx)
    return sorted(
        Opportunity.objects.values_list(
            "account__external_id", "kind", "status", "category", "stage__name", "next_step"
        )
    )


def test_demo_step_opens_closes_and_works_the_pipeline():
    _book()
    rows = _run()
    renewals = Opportunity.objects.filter(kind=OpportunityKind.RENEWAL)
    assert renewals.count() == 12  # one per term, from 120 days back to 120 days on
    assert renewals.filter(status=StageKind.WON).exists() and renewals.filter(status=StageKind.LOST).exists()
    open_ = renewals.filter(status=StageKind.OPEN)
    assert open_.exists()
    assert set(open_.values_list("category", flat=True)) <= {"commit", "best_case", "pipeline", "at_risk"}
    assert not open_.filter(account__health_band="red", category="commit").exists()
    assert rows  # deterministic: the same seed gives the same pipeline
    Opportunity.objects.all().delete()
    assert _run() == rows
