from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.payments import payment_failure_record, payment_recover
from health.measures_payment import PAYMENT_MEASURE, open_payment_failures
from health.registry import get_measure
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_open_failures_count_until_recovered():
    today = timezone.now().date()
    late, paid_again, never = AccountFactory(), AccountFactory(), AccountFactory()
    failed = timezone.now() - timedelta(days=3)
    payment_failure_record(account=late, amount=Decimal("100"), currency="USD", failed_at=failed)
    payment_failure_record(account=late, amount=Decimal("100"), currency="USD", failed_at=failed)
    payment_failure_record(account=paid_again, amount=Decimal("50"), currency="EUR", failed_at=failed)
    payment_recover(account=paid_again, recovered_at=failed + timedelta(days=1))
    values = open_payment_failures(today, None)
    assert values == {late.pk: 2.0, paid_again.pk: 0.0}  # `never` has no data
    # as of the day it failed, paid_again's failure was still open
    assert open_payment_failures((failed).date(), [paid_again.pk]) == {paid_again.pk: 1.0}
    assert never.pk not in values


def test_registered_with_low_scores_for_open_failures():
    assert get_measure("payment_status") is PAYMENT_MEASURE
    assert PAYMENT_MEASURE.higher_is_better is False
    assert dict(PAYMENT_MEASURE.default_points)[0] == 100 and dict(PAYMENT_MEASURE.default_points)[1] == 20
