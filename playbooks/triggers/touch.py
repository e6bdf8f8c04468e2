"""The "no CSM touch" trigger: longer than the tier's touch cadence without a touch."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.choices import LifecycleStage, Tier
from accounts.models import Account, TouchCadence

from ..choices import TriggerType
from ..reasons import label, number, say
from .base import Match, Param, Trigger
from .registry import register


@register
class NoTouch(Trigger):
    type = TriggerType.NO_TOUCH
    params = (Param("grace_days", gettext_lazy("Grace period (days past the cadence)"), "int", 0, min=0, max=90),)
    fields = ("pk", "tier", "last_touch_at", "created_at")
    reusable_sql = True  # the cadence is read in prepare() and is part of the kept query's key

    def summary(self, p):
        if p["grace_days"]:
            return _("No CSM touch for longer than the tier's cadence + %(n)s days") % {"n": p["grace_days"]}
        return _("No CSM touch for longer than the tier's cadence")

    def prepare(self, p, ctx):
        ctx.extra["cadence"] = TouchCadence.days_by_tier()

    def sql_key(self, ctx):
        return tuple(ctx.extra["cadence"].items())

    def queryset(self, p, ctx):
        if "cadence" not in ctx.extra:
            self.prepare(p, ctx)
        cadence = ctx.extra["cadence"]
        q = Q()
        for tier, days in cadence.items():
            cutoff = ctx.now - timedelta(days=days + p["grace_days"])
            q |= Q(tier=tier) & (Q(last_touch_at__lt=cutoff) | Q(last_touch_at__isnull=True, created_at__lt=cutoff))
        return Account.objects.filter(q).exclude(lifecycle_stage=LifecycleStage.CHURNED)

    def match(self, row, p, ctx):
        every = ctx.extra["cadence"].get(row["tier"])
        last = row["last_touch_at"]
        since = (ctx.now - (last or row["created_at"])).days
        due = {"since": number(since), "tier": label(Tier(row["tier"]).label), "every": number(every)}
        if last:
            reason = say(
                gettext_noop("no CSM touch for %(since)s days; %(tier)s accounts are due every %(every)s days"), **due
            )
        else:
            reason = say(
                gettext_noop(
                    "never touched (%(since)s days as a customer); %(tier)s accounts are due every %(every)s days"
                ),
                **due,
            )
        return Match(
            account_id=row["pk"],
            key=f"no_touch:{last.date() if last else 'never'}",
            reason=reason,
            signal={"last_touch_at": last.isoformat() if last else None, "days": since, "cadence_days": every},
        )
