"""The onboarding demo step builds maps, templates, checklists and plans from the accounts step's data."""

import random
from datetime import date, timedelta

from django.utils import timezone

from accounts.demo import DemoContext
from onboarding.demo import onboarding_demo_step
from onboarding.models import AccountChecklist, ChecklistTemplate, SuccessMap, SuccessPlan
from tests.factories import AccountFactory, ContactFactory, SubscriptionFactory, UsageEventFactory


def test_demo_step(db):
    # given: accounts with recent and old contract starts, some events
    today = date.today()
    ids = []
    for i in range(12):
        account = AccountFactory(tier=["standard", "key", "tech_touch", "strategic"][i % 4], mrr=1000)
        SubscriptionFactory(account=account, start_date=today - timedelta(days=30 if i % 2 else 400))
        ContactFactory(account=account)
        UsageEventFactory(account=account, event="integration_connected", occurred_at=timezone.now())
        ids.append(account.pk)
    ctx = DemoContext(
        seed=1,
        n_accounts=12,
        today=today,
        rng=random.Random(1),
        log=lambda m: None,
        is_postgres=False,
        extra={"account_ids": ids, "churned_account_ids": set()},
    )
    # when
    onboarding_demo_step(ctx)
    onboarding_demo_step(ctx)  # safe to run twice
    # then
    assert SuccessMap.objects.count() == 2 and ChecklistTemplate.objects.count() == 2
    assert AccountChecklist.objects.count() == 6  # the recent starts
    assert AccountChecklist.objects.filter(items__completion_source="event").exists()
    assert SuccessPlan.objects.count() == 4  # a third of the paying accounts
