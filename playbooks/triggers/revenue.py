"""Revenue triggers: a renewal coming up, a subscription upgraded, downgraded or cancelled, and
a payment that failed (accounts.payments)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.models import Account, PaymentFailure, Subscription

from ..choices import TriggerType
from ..reasons import day, money, number, say
from .base import EVENT_PAYMENT_CHANGED, EVENT_SUBSCRIPTION_CHANGED, Match, Param, Trigger, fmt_money
from .registry import register


@register
class RenewalDue(Trigger):
    type = TriggerType.RENEWAL_DUE
    reusable_sql = True
    params = (Param("days", gettext_lazy("Renews within (days)"), "int", 90, min=1, max=365),)
    events = (EVENT_SUBSCRIPTION_CHANGED,)
    fields = ("pk", "renewal_date", "mrr")

    def summary(self, p):
        return _("Renewal in %(n)s days or less") % {"n": p["days"]}

    def queryset(self, p, ctx):
        return Account.objects.filter(renewal_date__gte=ctx.as_of, renewal_date__lte=ctx.as_of + timedelta(p["days"]))

    def match(self, row, p, ctx):
        days = (row["renewal_date"] - ctx.as_of).days
        return Match(
            account_id=row["pk"],
            key=f"renewal:{row['renewal_date']}",
            reason=say(
                gettext_noop("renews on %(day)s (in %(days)s days), ARR %(arr)s"),
                day=day(row["renewal_date"], "%d %b %Y"),
                days=number(days),
                arr=money(row["mrr"] * 12),
            ),
            signal={"renewal_date": row["renewal_date"].isoformat(), "days": days, "arr": str(row["mrr"] * 12)},
        )


SUBSCRIPTION_CHANGES = (
    ("upgrade", gettext_lazy("Upgrade")),
    ("downgrade", gettext_lazy("Downgrade")),
    ("cancelled", gettext_lazy("Cancellation")),
)


@register
class SubscriptionChange(Trigger):
    type = TriggerType.SUBSCRIPTION_CHANGE
    reusable_sql = True
    reads_event = True
    params = (
        Param("change", gettext_lazy("Change"), "choice", "cancelled", SUBSCRIPTION_CHANGES),
        Param("lookback_days", gettext_lazy("Changed within (days, nightly catch-up)"), "int", 3, min=1, max=60),
    )
    events = (EVENT_SUBSCRIPTION_CHANGED,)
    account_path = "account"
    fields = ("pk", "account_id", "plan", "mrr", "prev_mrr", "change")

    def summary(self, p):
        return _("Subscription %(change)s") % {"change": str(dict(SUBSCRIPTION_CHANGES)[p["change"]]).lower()}

    def queryset(self, p, ctx):
        change = p["change"]
        previous = (
            Subscription.objects.paid()
            .filter(account_id=OuterRef("account_id"), start_date__lt=OuterRef("start_date"))
            .order_by("-start_date", "-pk")
        )
        base = Subscription.objects.filter(account__isnull=False).annotate(
            prev_mrr=Subquery(previous.values("mrr")[:1])
        )
        event = ctx.event or {}
        if event.get("event") == EVENT_SUBSCRIPTION_CHANGED:
            # The signal says what changed (an in-place plan change has no earlier row to compare).
            if event.get("change") != change or not event.get("subscription_id"):
                return Subscription.objects.none()
            return base.filter(pk=event["subscription_id"]).annotate(change=Value(change, output_field=CharField()))
        since = ctx.now - timedelta(days=p["lookback_days"])
        if change == "cancelled":
            qs = base.filter(canceled_at__gt=since, canceled_at__lte=ctx.now)
        else:
            started = base.paid().filter(
                start_date__gt=ctx.as_of - timedelta(days=p["lookback_days"]), start_date__lte=ctx.as_of
            )
            qs = started.filter(mrr__gt=F("prev_mrr")) if change == "upgrade" else started.filter(mrr__lt=F("prev_mrr"))
        return qs.annotate(change=Value(change, output_field=CharField())).order_by("account_id", "-pk")

    def match(self, row, p, ctx):
        mrr = Decimal(row["mrr"])
        plan = row["plan"]
        if row["change"] == "cancelled":
            reason = say(gettext_noop("cancelled the %(plan)s plan (MRR %(mrr)s)"), plan=plan, mrr=money(mrr))
        elif row["prev_mrr"] is not None:
            message = {
                "upgrade": gettext_noop("upgraded to %(plan)s: MRR %(before)s → %(after)s"),
                "downgrade": gettext_noop("downgraded to %(plan)s: MRR %(before)s → %(after)s"),
            }[row["change"]]
            reason = say(message, plan=plan, before=money(row["prev_mrr"]), after=money(mrr))
        else:
            message = {
                "upgrade": gettext_noop("upgraded to %(plan)s (MRR %(mrr)s)"),
                "downgrade": gettext_noop("downgraded to %(plan)s (MRR %(mrr)s)"),
            }[row["change"]]
            reason = say(message, plan=plan, mrr=money(mrr))
        return Match(
            account_id=row["account_id"],
            key=f"subscription:{row['pk']}:{row['change']}",
            reason=reason,
            signal={"subscription_id": row["pk"], "change": row["change"], "plan": row["plan"], "mrr": str(mrr)},
        )


@register
class PaymentFailed(Trigger):
    """An open (not yet recovered) failed payment: at once on the news, and nightly for
    failures of the last `lookback_days` still open. One enrolment per failure."""

    type = TriggerType.PAYMENT_FAILED
    reusable_sql = True
    reads_event = True
    params = (
        Param("min_amount", gettext_lazy("At least (amount, any currency)"), "int", 0, min=0, max=10_000_000),
        Param("lookback_days", gettext_lazy("Failed within (days, nightly catch-up)"), "int", 7, min=1, max=90),
    )
    events = (EVENT_PAYMENT_CHANGED,)
    account_path = "account"
    fields = ("pk", "account_id", "amount", "currency", "failed_at")

    def summary(self, p):
        if p["min_amount"]:
            return _("Payment failed (%(amount)s or more)") % {"amount": fmt_money(p["min_amount"])}
        return _("Payment failed")

    def queryset(self, p, ctx):
        qs = PaymentFailure.objects.filter(recovered_at__isnull=True, amount__gte=p["min_amount"])
        event = ctx.event or {}
        if event.get("event") == EVENT_PAYMENT_CHANGED:
            if event.get("change") != "failed" or not event.get("failure_id"):
                return PaymentFailure.objects.none()
            return qs.filter(pk=event["failure_id"])
        return qs.filter(failed_at__gt=ctx.now - timedelta(days=p["lookback_days"]), failed_at__lte=ctx.now).order_by(
            "account_id", "-pk"
        )

    def match(self, row, p, ctx):
        return Match(
            account_id=row["account_id"],
            key=f"payment:{row['pk']}",
            reason=say(
                gettext_noop("payment of %(amount)s %(currency)s failed on %(day)s"),
                amount=money(row["amount"]),
                currency=row["currency"],
                day=day(row["failed_at"], "%d %b %Y"),
            ),
            signal={"payment_failure_id": row["pk"], "amount": str(row["amount"]), "currency": row["currency"]},
        )
