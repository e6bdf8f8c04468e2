"""Revenue triggers (playbooks/triggers/revenue.py): renewal due, subscription changes."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import AccountFactory, SubscriptionFactory
from tests.playbooks.triggers.support import fired

pytestmark = pytest.mark.django_db

TODAY = timezone.now().date()


def test_renewal_due(make_playbook):
    soon = AccountFactory(renewal_date=TODAY + timedelta(30), mrr=Decimal("1000"))
    AccountFactory(renewal_date=TODAY + timedelta(200), mrr=Decimal("1000"))
    AccountFactory(renewal_date=TODAY - timedelta(3), mrr=Decimal("1000"))
    pb = make_playbook("renewal_due", {"days": 90})
    tasks = fired(pb, as_of=TODAY)
    assert list(tasks) == [soon.pk]
    assert "(in 30 days), ARR 12,000" in tasks[soon.pk]


def test_subscription_cancellation_nightly_and_upgrade(make_playbook):
    cancelled, upgraded = AccountFactory(), AccountFactory()
    SubscriptionFactory(account=cancelled, plan="Growth", canceled_at=timezone.now() - timedelta(hours=3))
    SubscriptionFactory(
        account=upgraded, plan="Starter", mrr=Decimal("100"), start_date=TODAY - timedelta(100), end_date=TODAY
    )
    SubscriptionFactory(account=upgraded, plan="Scale", mrr=Decimal("300"), start_date=TODAY)
    cancel_pb = make_playbook("subscription_change", {"change": "cancelled"})
    assert list(fired(cancel_pb, as_of=TODAY)) == [cancelled.pk]
    upgrade_pb = make_playbook("subscription_change", {"change": "upgrade"})
    tasks = fired(upgrade_pb, as_of=TODAY)
    assert tasks == {upgraded.pk: "upgraded to Scale: MRR 100 → 300"}
    downgrade_pb = make_playbook("subscription_change", {"change": "downgrade"})
    assert fired(downgrade_pb, as_of=TODAY) == {}


def test_subscription_change_event_uses_the_signal(make_playbook):
    account = AccountFactory()
    sub = SubscriptionFactory(account=account, plan="Growth", mrr=Decimal("500"))
    pb = make_playbook("subscription_change", {"change": "downgrade"})
    event = {
        "event": "subscription.changed",
        "account_id": account.pk,
        "subscription_id": sub.pk,
        "change": "downgrade",
    }
    tasks = fired(pb, account_ids=[account.pk], event=event)
    assert tasks == {account.pk: "downgraded to Growth (MRR 500)"}
