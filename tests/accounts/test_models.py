from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Account, Subscription, TouchCadence
from tests.factories import AccountFactory, SubscriptionFactory, SupportTicketFactory

pytestmark = pytest.mark.django_db


def _raises_integrity(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_subscription_mrr_cannot_be_negative():
    _raises_integrity(lambda: SubscriptionFactory(mrr=Decimal("-1")))


def test_subscription_must_end_after_it_starts():
    day = date(2026, 3, 1)
    _raises_integrity(lambda: SubscriptionFactory(start_date=day, end_date=day))
    assert SubscriptionFactory(start_date=day, end_date=day + timedelta(days=1)).pk


def test_ticket_times_cannot_precede_opening():
    opened = timezone.now()
    _raises_integrity(lambda: SupportTicketFactory(opened_at=opened, first_response_at=opened - timedelta(hours=1)))
    _raises_integrity(lambda: SupportTicketFactory(opened_at=opened, resolved_at=opened - timedelta(hours=1)))


def test_account_external_id_is_unique():
    AccountFactory(external_id="acme")
    _raises_integrity(lambda: AccountFactory(external_id="acme"))


def test_touch_cadence_one_row_per_tier_and_positive_days():
    # the data migration created the defaults
    assert TouchCadence.objects.count() == 4
    _raises_integrity(lambda: TouchCadence.objects.create(tier="key", every_days=5))
    TouchCadence.objects.all().delete()
    _raises_integrity(lambda: TouchCadence.objects.create(tier="key", every_days=0))


def test_subscription_active_on_treats_end_as_exclusive():
    day = date(2026, 5, 10)
    ending = SubscriptionFactory(start_date=day - timedelta(days=30), end_date=day)
    running = SubscriptionFactory(start_date=day, end_date=None)
    future = SubscriptionFactory(start_date=day + timedelta(days=1))
    active = set(Subscription.objects.active_on(day).values_list("pk", flat=True))
    assert active == {running.pk}
    assert not ending.is_active_on(day) and running.is_active_on(day) and not future.is_active_on(day)


def test_account_arr_and_days_to_renewal():
    account = AccountFactory(mrr=Decimal("1500"), renewal_date=timezone.now().date() + timedelta(days=45))
    assert account.arr == Decimal("18000")
    assert account.days_to_renewal == 45
    assert AccountFactory().days_to_renewal is None


def test_deleting_an_account_cascades_to_its_records():
    sub = SubscriptionFactory()
    sub.account.delete()
    assert not Subscription.objects.filter(pk=sub.pk).exists()
    assert not Account.objects.exists()
