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


def test_payment_failed_fires_on_the_news_and_nightly_until_recovered(
    make_playbook, django_capture_on_commit_callbacks
):
    from accounts.payments import payment_failure_record, payment_recover
    from playbooks.models import Task

    account, small, paid = AccountFactory(), AccountFactory(), AccountFactory()
    pb = make_playbook("payment_failed", {"min_amount": 100})
    with django_capture_on_commit_callbacks(execute=True):
        payment_failure_record(account=account, amount=Decimal("450"), currency="EUR", external_id="in_1")
        payment_failure_record(account=small, amount=Decimal("20"), currency="USD")  # under the minimum
    task = Task.objects.get(playbook=pb)
    assert task.account == account and task.reason.startswith("payment of 450 EUR failed")
    # nightly: a failure recorded without the event, then recovered before the run: nothing
    payment_failure_record(account=paid, amount=Decimal("900"), currency="USD")
    payment_recover(account=paid)
    assert fired(pb, as_of=TODAY) == {account.pk: task.reason}  # one task per failure, no repeat
