"""Usage triggers: a drop of usage, the growth of one feature, and usage near a plan's entitlement,
read from the daily rollups (AccountDailyUsage)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, F, FloatField, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.models import Account, Contact, Subscription
from usage.models import AccountDailyUsage

from ..choices import TriggerType
from ..reasons import label, number, say
from .base import EVENT_SUBSCRIPTION_CHANGED, Match, Param, Trigger
from .registry import register


def _rollup_sum(start: date, end: date, feature: str | None = None):
    """Subquery: the account's rollup events (or one feature's count) over [start, end]."""
    rows = AccountDailyUsage.objects.filter(account_id=OuterRef("pk"), day__gte=start, day__lte=end)
    value = Cast(KeyTextTransform(feature, "features"), IntegerField()) if feature else F("events")
    return Coalesce(
        Subquery(
            rows.order_by().values("account_id").annotate(s=Sum(value)).values("s")[:1], output_field=IntegerField()
        ),
        Value(0),
    )


@register
class UsageDrop(Trigger):
    type = TriggerType.USAGE_DROP
    reusable_sql = True
    params = (
        Param("percent", gettext_lazy("Drop of at least (%)"), "int", 30, min=1, max=100),
        Param(
            "days",
            gettext_lazy("Window (days)"),
            "int",
            30,
            min=7,
            max=90,
            help=gettext_lazy("The last N days against the N before."),
        ),
        Param("min_events", gettext_lazy("Only if the earlier window had at least (events)"), "int", 20, min=1),
    )
    fields = ("pk", "recent", "previous")

    def summary(self, p):
        return _("Usage drops %(percent)s%%+ (last %(days)s days vs the %(days)s before)") % {
            "percent": p["percent"],
            "days": p["days"],
        }

    def queryset(self, p, ctx):
        n = p["days"]
        recent_start = ctx.as_of - timedelta(days=n - 1)
        prev_start, prev_end = recent_start - timedelta(days=n), recent_start - timedelta(days=1)
        return (
            Account.objects.annotate(
                recent=_rollup_sum(recent_start, ctx.as_of), previous=_rollup_sum(prev_start, prev_end)
            )
            .filter(previous__gte=p["min_events"])
            # recent <= previous x (1 - percent/100), in integers: 100 x recent <= (100 - percent) x previous
            .filter(recent__lte=F("previous") * (100 - p["percent"]) / 100.0)
        )

    def match(self, row, p, ctx):
        drop = round(100 * (row["previous"] - row["recent"]) / row["previous"])
        return Match(
            account_id=row["pk"],
            key=f"usage_drop:{ctx.as_of}",
            reason=say(
                gettext_noop(
                    "usage fell %(drop)s%% (%(before)s → %(after)s events, last %(days)s days vs the %(days)s before)"
                ),
                drop=number(drop),
                before=number(row["previous"]),
                after=number(row["recent"]),
                days=number(p["days"]),
            ),
            signal={"previous": row["previous"], "recent": row["recent"], "drop_percent": drop, "days": p["days"]},
        )


@register
class FeatureGrowth(Trigger):
    type = TriggerType.FEATURE_GROWTH
    reusable_sql = True
    params = (
        Param("feature", gettext_lazy("Feature (usage event name)"), "str", "", required=True),
        Param("percent", gettext_lazy("Growth of at least (%)"), "int", 100, min=10, max=10000),
        Param("days", gettext_lazy("Window (days)"), "int", 14, min=1, max=90),
        Param("min_events", gettext_lazy("Only with at least (events, last window)"), "int", 10, min=1),
    )
    fields = ("pk", "recent", "previous")

    def summary(self, p):
        return _("Use of ‘%(feature)s’ grows %(percent)s%%+ in %(days)s days") % {
            "feature": p["feature"],
            "percent": p["percent"],
            "days": p["days"],
        }

    def queryset(self, p, ctx):
        n = p["days"]
        recent_start = ctx.as_of - timedelta(days=n - 1)
        prev_start, prev_end = recent_start - timedelta(days=n), recent_start - timedelta(days=1)
        return (
            Account.objects.annotate(
                recent=_rollup_sum(recent_start, ctx.as_of, p["feature"]),
                previous=_rollup_sum(prev_start, prev_end, p["feature"]),
            )
            .filter(recent__gte=p["min_events"])
            .filter(recent__gte=F("previous") * (100 + p["percent"]) / 100.0)
        )

    def match(self, row, p, ctx):
        growth = (
            label(gettext_noop("new"))
            if not row["previous"]
            else f"+{round(100 * (row['recent'] - row['previous']) / row['previous'])}%"
        )
        return Match(
            account_id=row["pk"],
            key=f"feature_growth:{p['feature']}:{ctx.as_of}",
            reason=say(
                gettext_noop(
                    "use of '%(feature)s' grew %(growth)s (%(before)s → %(after)s, "
                    "last %(days)s days vs the %(days)s before)"
                ),
                feature=p["feature"],
                growth=growth,
                before=number(row["previous"]),
                after=number(row["recent"]),
                days=number(p["days"]),
            ),
            signal={"feature": p["feature"], "previous": row["previous"], "recent": row["recent"]},
        )


@register
class EntitlementUsage(Trigger):
    type = TriggerType.ENTITLEMENT_USAGE
    reusable_sql = True
    params = (
        Param(
            "metric",
            gettext_lazy("Entitlement"),
            "str",
            "seats",
            help=gettext_lazy(
                "A key of the plan's entitlements: 'seats' (active contacts, last 30 days) or a usage event name."
            ),
        ),
        Param("percent", gettext_lazy("At least (percent of the limit)"), "int", 80, min=1, max=1000),
        Param("days", gettext_lazy("Usage window (days)"), "int", 30, min=1, max=90),
        Param(
            "event",
            gettext_lazy("Counted usage event"),
            "str",
            "",
            required=False,
            help=gettext_lazy("The usage event that spends the entitlement (default: the entitlement's own name)."),
        ),
    )
    events = (EVENT_SUBSCRIPTION_CHANGED,)
    account_path = "account"
    fields = ("pk", "account_id", "plan", "limit", "used")

    def summary(self, p):
        return _("Usage at %(percent)s%%+ of the plan's ‘%(metric)s’") % {
            "percent": p["percent"],
            "metric": p["metric"],
        }

    def queryset(self, p, ctx):
        metric = p["metric"]
        subs = Subscription.objects.active_on(ctx.as_of).paid().filter(account__isnull=False)
        if metric == "seats":
            limit = Coalesce(Cast(KeyTextTransform("seats", "entitlements"), FloatField()), Cast("seats", FloatField()))
            since = ctx.now - timedelta(days=p["days"])
            used = Subquery(
                Contact.objects.filter(
                    account_id=OuterRef("account_id"), last_seen_at__gte=since, last_seen_at__lte=ctx.now
                )
                .order_by()
                .values("account_id")
                .annotate(n=Count("id"))
                .values("n")[:1],
                output_field=IntegerField(),
            )
        else:
            subs = subs.filter(entitlements__has_key=metric)
            limit = Cast(KeyTextTransform(metric, "entitlements"), FloatField())
            start = ctx.as_of - timedelta(days=p["days"] - 1)
            rows = AccountDailyUsage.objects.filter(
                account_id=OuterRef("account_id"), day__gte=start, day__lte=ctx.as_of
            )
            used = Subquery(
                rows.order_by()
                .values("account_id")
                .annotate(s=Sum(Cast(KeyTextTransform(p.get("event") or metric, "features"), IntegerField())))
                .values("s")[:1],
                output_field=IntegerField(),
            )
        return (
            subs.annotate(limit=limit, used=Coalesce(used, Value(0)))
            .filter(limit__gt=0)
            .filter(used__gte=F("limit") * p["percent"] / 100.0)
            .order_by("account_id", "-start_date")
        )

    def match(self, row, p, ctx):
        pct = round(100 * row["used"] / row["limit"])
        return Match(
            account_id=row["account_id"],
            key=f"entitlement:{row['pk']}:{p['metric']}:{p['percent']}",
            reason=say(
                gettext_noop("uses %(used)s of %(limit)s %(metric)s (%(percent)s%%) on the %(plan)s plan"),
                used=number(row["used"]),
                limit=number(row["limit"]),
                metric=p["metric"],
                percent=number(pct),
                plan=row["plan"],
            ),
            signal={
                "metric": p["metric"],
                "used": row["used"],
                "limit": row["limit"],
                "percent": pct,
                "plan": row["plan"],
            },
        )
