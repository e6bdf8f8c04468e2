"""Health measure "payment_status" (payment risk): failed payments still open at the end of the
day (accounts.models.PaymentFailure: failed by then, not recovered by then). An account that
had a failure in the last year and has none open scores 0 open (full marks); an account that
never failed a payment in that year has no data (the scorecard spreads the weight), so the
measure never dilutes the others for the many accounts that always pay. One query."""

from collections.abc import Iterable
from datetime import date, timedelta

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import PaymentFailure
from usage.rollups import account_filter

from .measures import end_of_day
from .registry import Measure

WINDOW_DAYS = 365


def open_payment_failures(as_of: date, account_ids: Iterable[int] | None) -> dict[int, float | None]:
    end = end_of_day(as_of)
    qs = PaymentFailure.objects.filter(failed_at__lt=end, failed_at__gte=end - timedelta(days=WINDOW_DAYS))
    if account_ids is not None and not isinstance(account_ids, list):
        from usage.rollups import AccountRange

        if not isinstance(account_ids, AccountRange):
            account_ids = list(account_ids)
    rows = (
        account_filter(qs, account_ids)
        .order_by()
        .values("account_id")
        .annotate(open=Count("id", filter=Q(recovered_at__isnull=True) | Q(recovered_at__gte=end)))
    )
    return {r["account_id"]: float(r["open"]) for r in rows}


PAYMENT_MEASURE = Measure(
    key="payment_status",
    label=_("Payment status"),
    compute=open_payment_failures,
    unit=_("open failed payments"),
    higher_is_better=False,
    description=_("Failed payments not yet recovered at the end of the day (Stripe or the payments API)."),
    default_points=((0, 100), (1, 20), (2, 0)),
)
