"""The onboarding demo step builds maps, templates, checklists and plans from the accounts step's data."""

import random
from datetime import date, timedelta

from django.utils import timezone

from demo.context import DemoContext
from demo.onboarding import onboarding_demo_step
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


def test_checklists_start_for_many_accounts_equals_one_at_a_time(db, django_capture_on_commit_callbacks):
    """The demo starts its checklists in bulk: the same checklists and items as checklist_start
    account by account, the accounts' active checklists kept, one deferred event apply."""
    from demo.onboarding import HIGH_TOUCH_ITEMS, TECH_TOUCH_ITEMS, _template
    from onboarding import services
    from onboarding.models import AccountChecklistItem
    from tests.factories import UserFactory

    # given: templates, accounts of every tier (one without a subscription, one already onboarding)
    _template("Tech-touch onboarding", "tech_touch", ["standard", "tech_touch"], TECH_TOUCH_ITEMS)
    _template("High-touch onboarding", "high_touch", ["key", "strategic"], HIGH_TOUCH_ITEMS)
    today = date.today()
    accounts = []
    for i in range(8):
        account = AccountFactory(tier=["standard", "key", "tech_touch", "strategic"][i % 4], owner=UserFactory())
        if i != 5:
            SubscriptionFactory(account=account, start_date=today - timedelta(days=10 * i), is_trial=False)
        accounts.append(account)
    kept = services.checklist_start(account=accounts[2])

    def snapshot():
        checklists = [
            (c.account_id, c.template_id, c.name, c.contract_start, c.value_event, c.status)
            for c in AccountChecklist.objects.exclude(pk=kept.pk).order_by("account_id")
        ]
        items = list(
            AccountChecklistItem.objects.exclude(checklist=kept)
            .order_by("checklist__account_id", "position")
            .values_list("checklist__account_id", "position", "title", "owner", "owner_user_id", "due_date",
                         "completion_event", "completed_at")
        )  # fmt: skip
        return checklists, items

    # when: one at a time
    with django_capture_on_commit_callbacks() as one_by_one:
        singles = [services.checklist_start(account=a) for a in accounts]
    expected = snapshot()
    AccountChecklist.objects.exclude(pk=kept.pk).delete()
    # and in bulk
    with django_capture_on_commit_callbacks() as bulk:
        started = services.checklists_start(accounts=accounts)
    # then
    assert snapshot() == expected and len(expected[0]) == 7 and len(expected[1]) == 7 * 6
    assert [c.account_id for c in started] == [a.pk for a in accounts] and started[2].pk == kept.pk
    assert singles[2].pk == kept.pk

    # each start queues its follow-up once (one for the whole bulk); the account page's cached panels
    # are told in both ways (accounts.panel_cache)
    def panels(callbacks):
        return [c for c in callbacks if c.__qualname__.startswith("account_panels_changed")]

    assert len(one_by_one) - len(panels(one_by_one)) == 7 and len(bulk) - len(panels(bulk)) == 1
    assert panels(one_by_one) and panels(bulk)
    assert AccountChecklistItem.objects.filter(owner_user__isnull=False).exists()
