"""Billing from Stripe: webhook events keep subscriptions, MRR, trials and cancellations current.

`stripe_event_handle(event=...)` takes a verified event (a dict) and is:
- idempotent on the event id: each id is recorded in StripeEvent once; a redelivery does nothing;
- out-of-order safe: a subscription event older (by Stripe's `created`) than one already
  applied to the same subscription is recorded but not applied. Each subscription event carries
  the whole subscription, so the newest one is the truth.

Mapping (docs/api.md "Stripe"):
- the account is the one whose `stripe_customer_id` is the subscription's customer, else the
  one named by the subscription's `metadata.account` (external id; it gets the customer id),
  else a new account with the customer id as external id and name;
- a Stripe subscription becomes up to two rows: its trial `<sub id>:trial` (is_trial,
  [trial_start, trial_end)) and its paid part `<sub id>` from the trial's end (or the start)
  to `ended_at` / `cancel_at` (exclusive), absent while trialing or never paid;
- MRR = sum over items of unit_amount x quantity, normalised to a month, in currency units.
- `invoice.payment_failed` records a payment failure (accounts.payments: timeline entry, health
  measure, playbook trigger); `invoice.paid` puts a system activity on the timeline and recovers
  the account's open failures (the customer paid again); both keep
  `custom_fields["stripe_payment_failed_at"]` set or cleared as before.
Writes go through accounts.records, so revenue, signals and the churn webhook follow.
"""

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction

from .choices import ActivityKind
from .models import Account, StripeEvent, Subscription
from .payments import payment_failure_record, payment_recover
from .records import subscription_delete, subscriptions_upsert
from .services import activity_create

__all__ = ["stripe_event_handle", "stripe_subscription_mrr"]

SUBSCRIPTION_EVENTS = {
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.trial_will_end",
    "customer.subscription.paused",
    "customer.subscription.resumed",
}
PAID_STATUSES = {"active", "past_due", "unpaid", "canceled", "paused"}
# Per month: how many of one interval fit.
PER_MONTH = {"month": Decimal(1), "year": Decimal(1) / 12, "week": Decimal(52) / 12, "day": Decimal(365) / 12}
ZERO_DECIMAL = {
    "bif",
    "clp",
    "djf",
    "gnf",
    "jpy",
    "kmf",
    "krw",
    "mga",
    "pyg",
    "rwf",
    "ugx",
    "vnd",
    "vuv",
    "xaf",
    "xof",
    "xpf",
}


def _day(timestamp) -> date | None:
    return datetime.fromtimestamp(int(timestamp), tz=UTC).date() if timestamp else None


def _moment(timestamp) -> datetime | None:
    return datetime.fromtimestamp(int(timestamp), tz=UTC) if timestamp else None


def _id(value) -> str:
    return value.get("id", "") if isinstance(value, dict) else (value or "")


def stripe_subscription_mrr(sub: dict) -> tuple[Decimal, str, str]:
    """(MRR in currency units, plan name, currency) of a Stripe subscription object."""
    total = Decimal(0)
    names = []
    currency = (sub.get("currency") or "usd").lower()
    for item in (sub.get("items") or {}).get("data", []):
        price = item.get("price") or item.get("plan") or {}
        currency = (price.get("currency") or currency).lower()
        recurring = price.get("recurring") or {
            "interval": price.get("interval"),
            "interval_count": price.get("interval_count"),
        }
        per_month = PER_MONTH.get(recurring.get("interval") or "month", Decimal(1)) / Decimal(
            recurring.get("interval_count") or 1
        )
        amount = price.get("unit_amount")
        if amount is None and price.get("unit_amount_decimal") is not None:
            amount = Decimal(str(price["unit_amount_decimal"]))
        total += Decimal(amount or 0) * Decimal(item.get("quantity") or 1) * per_month
        names.append(
            price.get("nickname")
            or price.get("lookup_key")
            or _id(price.get("product"))
            or price.get("id")
            or "Stripe plan"
        )
    if currency not in ZERO_DECIMAL:
        total /= 100
    return (
        total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        " + ".join(names)[:120] or "Stripe plan",
        currency.upper(),
    )


def _account_for(sub: dict) -> Account:
    customer = _id(sub.get("customer"))
    account = Account.objects.filter(stripe_customer_id=customer).first() if customer else None
    if account is not None:
        return account
    external_id = (sub.get("metadata") or {}).get("account")
    if external_id:
        account = Account.objects.filter(external_id=external_id).first()
        if account is not None:
            if customer and not account.stripe_customer_id:
                account.stripe_customer_id = customer
                account.save(update_fields=["stripe_customer_id", "updated_at"])
            return account
    customer = customer or f"stripe-{sub.get('id')}"
    account, _ = Account.objects.get_or_create(
        external_id=customer, defaults={"name": customer, "stripe_customer_id": customer}
    )
    return account


def _subscription_sync(sub: dict) -> None:
    account = _account_for(sub)
    mrr, plan, currency = stripe_subscription_mrr(sub)
    status = sub.get("status", "")
    start = _day(sub.get("start_date") or sub.get("created"))
    trial_start, trial_end = _day(sub.get("trial_start")), _day(sub.get("trial_end"))
    ended = _day(sub.get("ended_at")) or _day(sub.get("cancel_at"))
    canceled_at = _moment(sub.get("canceled_at"))
    seats = sum(int(i.get("quantity") or 0) for i in (sub.get("items") or {}).get("data", [])) or None
    base = {"account": account, "plan": plan, "mrr": mrr, "currency": currency, "seats": seats}
    items = []
    if trial_start and trial_end and trial_end > trial_start:
        trial_stop = min(trial_end, ended) if ended else trial_end
        if trial_stop > trial_start:
            items.append(
                {
                    **base,
                    "external_id": f"{sub['id']}:trial",
                    "is_trial": True,
                    "start_date": trial_start,
                    "end_date": trial_stop,
                    "canceled_at": canceled_at if ended and ended <= trial_end else None,
                }
            )
    paid_start = trial_end if trial_end and trial_start else start
    paid = status in PAID_STATUSES and paid_start is not None and (ended is None or ended > paid_start)
    if status == "canceled" and trial_end and ended and ended <= trial_end:
        paid = False  # cancelled during the trial: never paid
    if paid:
        items.append(
            {
                **base,
                "external_id": sub["id"],
                "is_trial": False,
                "start_date": paid_start,
                "end_date": ended,
                "canceled_at": canceled_at,
            }
        )
    else:
        stray = Subscription.objects.filter(external_id=sub["id"]).first()
        if stray is not None:  # recorded as paid too early (e.g. it then expired unpaid)
            subscription_delete(subscription=stray)
    if items:
        subscriptions_upsert(items=items)


def _invoice(event_type: str, invoice: dict) -> None:
    customer = _id(invoice.get("customer"))
    account = Account.objects.filter(stripe_customer_id=customer).first() if customer else None
    if account is None:
        return
    currency = (invoice.get("currency") or "usd").lower()
    amount = Decimal(invoice.get("amount_due") or invoice.get("amount_paid") or 0)
    if currency not in ZERO_DECIMAL:
        amount /= 100
    when = _moment(invoice.get("status_transitions", {}).get("paid_at") or invoice.get("created"))
    fields = dict(account.custom_fields or {})
    if event_type == "invoice.payment_failed":
        # A payment-failure record (payment risk); the invoice id keeps retried events to one.
        payment_failure_record(
            account=account,
            amount=amount.quantize(Decimal("0.01")),
            currency=currency.upper(),
            failed_at=when or datetime.now(UTC),
            external_id=f"stripe:{invoice.get('id')}" if invoice.get("id") else None,
            source="stripe",
        )
        fields["stripe_payment_failed_at"] = (when or datetime.now(UTC)).isoformat()
    elif event_type in ("invoice.paid", "invoice.payment_succeeded"):
        activity_create(
            account=account,
            kind=ActivityKind.SYSTEM,
            subject=f"Stripe: invoice of {amount:.2f} {currency.upper()} paid",
            occurred_at=when,
            metadata={"stripe_invoice": invoice.get("id"), "subscription": _id(invoice.get("subscription"))},
        )
        payment_recover(account=account, recovered_at=when or datetime.now(UTC), source="stripe")  # paid again
        fields.pop("stripe_payment_failed_at", None)
    else:
        return
    if fields != account.custom_fields:
        account.custom_fields = fields
        account.save(update_fields=["custom_fields", "updated_at"])


def stripe_event_handle(*, event: dict) -> str:
    """Apply one verified Stripe event. Returns "applied", "duplicate", "stale" or "ignored"."""
    event_type = event.get("type", "")
    obj = (event.get("data") or {}).get("object") or {}
    is_sub = event_type in SUBSCRIPTION_EVENTS
    object_id = obj.get("id", "") if is_sub or event_type.startswith("invoice.") else ""
    created = int(event.get("created") or 0)
    try:
        with transaction.atomic():
            record = StripeEvent.objects.create(
                event_id=event["id"], type=event_type[:100], object_id=object_id[:255], created=created
            )
            if is_sub:
                newer = (
                    StripeEvent.objects.filter(object_id=object_id, applied=True, created__gt=created)
                    .exclude(pk=record.pk)
                    .exists()
                )
                if newer:
                    record.applied = False
                    record.save(update_fields=["applied"])
                    return "stale"
                _subscription_sync(obj)
                return "applied"
            if event_type.startswith("invoice."):
                _invoice(event_type, obj)
                return "applied"
            record.applied = False
            record.save(update_fields=["applied"])
            return "ignored"
    except IntegrityError:
        if StripeEvent.objects.filter(event_id=event["id"]).exists():
            return "duplicate"
        raise
