from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Activity, PaymentFailure
from accounts.payments import payment_failure_record, payment_recover, payments_open
from accounts.signals import payment_changed
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_record_is_idempotent_and_goes_on_the_timeline(django_capture_on_commit_callbacks):
    account = AccountFactory()
    seen = []

    def listener(sender, **kwargs):
        seen.append((kwargs["account_id"], kwargs["change"]))

    payment_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            first, created = payment_failure_record(
                account=account, amount=Decimal("99.5"), currency="eur", external_id="in_7"
            )
            again, created_again = payment_failure_record(
                account=account, amount=Decimal("99.5"), currency="EUR", external_id="in_7"
            )
    finally:
        payment_changed.disconnect(listener)
    assert created and not created_again and first.pk == again.pk
    assert first.currency == "EUR" and first.is_open
    assert seen == [(account.pk, "failed")]
    assert Activity.objects.get(account=account).subject == "Payment of 99.50 EUR failed"


def test_recover_one_or_all_and_a_repeat_changes_nothing():
    account = AccountFactory()
    when = timezone.now() - timedelta(days=2)
    payment_failure_record(account=account, amount=Decimal("10"), currency="USD", external_id="a", failed_at=when)
    payment_failure_record(account=account, amount=Decimal("20"), currency="USD", external_id="b", failed_at=when)
    assert [f.external_id for f in payment_recover(account=account, external_id="a")] == ["a"]
    assert [f.external_id for f in payments_open(account=account)] == ["b"]
    assert [f.external_id for f in payment_recover(account=account)] == ["b"]
    assert payment_recover(account=account) == []
    assert not PaymentFailure.objects.filter(recovered_at__isnull=True).exists()
    assert Activity.objects.filter(account=account, subject__startswith="Payment recovered").count() == 2
