"""A subscription change sweeps that account's renewals soon (core.deferral: once for a burst)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.signals import subscription_changed
from renewals.choices import OpportunityKind, StageKind
from renewals.models import Opportunity
from tests.factories import AccountFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def test_a_subscription_change_opens_and_closes_that_accounts_renewal(django_capture_on_commit_callbacks):
    today = timezone.now().date()
    account, other = AccountFactory(), AccountFactory()
    sub = SubscriptionFactory(
        account=account, start_date=today - timedelta(days=300), end_date=today + timedelta(days=65)
    )
    SubscriptionFactory(account=other, start_date=today - timedelta(days=300), end_date=today + timedelta(days=65))

    with django_capture_on_commit_callbacks(execute=True):
        subscription_changed.send(sender=None, account_id=account.pk, subscription_id=sub.pk, change="created")
        subscription_changed.send(sender=None, account_id=account.pk, subscription_id=sub.pk, change="updated")
    renewal = Opportunity.objects.get(kind=OpportunityKind.RENEWAL)
    assert renewal.account_id == account.pk  # only that account
    assert renewal.status == StageKind.OPEN

    # the customer renews early: the next term is booked, the renewal closes won
    SubscriptionFactory(account=account, start_date=sub.end_date, end_date=None, mrr=Decimal("1000"))
    with django_capture_on_commit_callbacks(execute=True):
        subscription_changed.send(sender=None, account_id=account.pk, subscription_id=sub.pk, change="renewed")
    renewal.refresh_from_db()
    assert (renewal.status, renewal.outcome) == (StageKind.WON, "renewed")
