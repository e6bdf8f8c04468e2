"""Payment risk: failed payments recorded (Stripe `invoice.payment_failed`, POST
/api/v1/payments/) until they are recovered (`invoice.paid`, or the API). Each change goes on
the timeline and out as `accounts.signals.payment_changed` (health refreshes the "payment
status" measure, playbooks run the "payment failed" trigger). Retries are idempotent: a
failure with the same external id is stored once, a recovery of what is already recovered
changes nothing."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from .choices import ActivityKind
from .models import Account, PaymentFailure
from .services import activity_create
from .signals import payment_changed

__all__ = ["payment_failure_record", "payment_recover", "payments_open"]


def _announce(account_id: int, failure_id: int, change: str) -> None:
    transaction.on_commit(
        lambda: payment_changed.send(
            sender=PaymentFailure, account_id=account_id, failure_id=failure_id, change=change
        ),
        robust=True,
    )


@transaction.atomic
def payment_failure_record(
    *,
    account: Account,
    amount: Decimal,
    currency: str,
    failed_at: datetime | None = None,
    external_id: str | None = None,
    source: str = "api",
) -> tuple[PaymentFailure, bool]:
    """Store one failed payment (open until recovered). Returns (failure, created); a repeat
    of the same `external_id` returns the stored one unchanged."""
    failed_at = failed_at or timezone.now()
    if timezone.is_naive(failed_at):
        raise ValueError("failed_at must be timezone-aware")
    if external_id:
        existing = PaymentFailure.objects.filter(external_id=external_id).first()
        if existing is not None:
            return existing, False
    failure = PaymentFailure.objects.create(
        account=account,
        amount=Decimal(amount),
        currency=currency.upper()[:3],
        failed_at=failed_at,
        external_id=external_id or None,
        source=source[:16],
    )
    activity_create(
        account=account,
        kind=ActivityKind.SYSTEM,
        subject=f"Payment of {failure.amount:,.2f} {failure.currency} failed",
        occurred_at=failed_at,
        metadata={"payment_failure": failure.pk, "external_id": external_id or "", "source": source},
    )
    _announce(account.pk, failure.pk, "failed")
    return failure, True


@transaction.atomic
def payment_recover(
    *, account: Account, external_id: str | None = None, recovered_at: datetime | None = None, source: str = "api"
) -> list[PaymentFailure]:
    """Mark the account's open failures recovered: the one with `external_id`, or every open
    one (the customer paid again). Returns those recovered (none on a repeat)."""
    recovered_at = recovered_at or timezone.now()
    if timezone.is_naive(recovered_at):
        raise ValueError("recovered_at must be timezone-aware")
    open_ = PaymentFailure.objects.select_for_update().filter(account=account, recovered_at__isnull=True)
    if external_id:
        open_ = open_.filter(external_id=external_id)
    failures = list(open_.order_by("failed_at", "id"))
    if not failures:
        return []
    PaymentFailure.objects.filter(pk__in=[f.pk for f in failures]).update(recovered_at=recovered_at)
    total = sum((f.amount for f in failures), Decimal(0))
    currencies = sorted({f.currency for f in failures})
    activity_create(
        account=account,
        kind=ActivityKind.SYSTEM,
        subject=f"Payment recovered: {total:,.2f} {'/'.join(currencies)} ({len(failures)} failed payment(s) cleared)",
        occurred_at=recovered_at,
        metadata={"payment_failures": [f.pk for f in failures], "source": source},
    )
    for failure in failures:
        failure.recovered_at = recovered_at
        _announce(account.pk, failure.pk, "recovered")
    return failures


def payments_open(*, account: Account) -> list[PaymentFailure]:
    return list(PaymentFailure.objects.filter(account=account, recovered_at__isnull=True).order_by("-failed_at"))
