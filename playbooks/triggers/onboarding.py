"""Onboarding triggers: an overdue checklist item and a stalled checklist (read through
onboarding.selectors)."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from ..choices import TriggerType
from ..reasons import day, number, say
from .base import Match, Param, Trigger
from .registry import register


@register
class OnboardingOverdue(Trigger):
    type = TriggerType.ONBOARDING_OVERDUE
    reusable_sql = True
    params = (Param("days_overdue", gettext_lazy("Overdue by at least (days)"), "int", 1, min=1, max=180),)
    account_path = "checklist__account"
    fields = ("pk", "checklist__account_id", "title", "due_date", "checklist__name")

    def summary(self, p):
        return _("An onboarding item is %(n)s+ days overdue") % {"n": p["days_overdue"]}

    def queryset(self, p, ctx):
        try:
            from onboarding.selectors import checklist_items_overdue
        except ImportError:
            return None
        return (
            checklist_items_overdue(as_of=ctx.as_of)
            .filter(due_date__lte=ctx.as_of - timedelta(days=p["days_overdue"]))
            .select_related(None)
            .order_by("checklist__account_id", "due_date", "pk")
        )

    def match(self, row, p, ctx):
        late = (ctx.as_of - row["due_date"]).days
        return Match(
            account_id=row["checklist__account_id"],
            key=f"item:{row['pk']}",
            reason=say(
                gettext_noop("onboarding item '%(item)s' (%(checklist)s) was due %(day)s, %(late)s days ago"),
                item=row["title"],
                checklist=row["checklist__name"],
                day=day(row["due_date"]),
                late=number(late),
            ),
            signal={"item_id": row["pk"], "due_date": row["due_date"].isoformat(), "days_overdue": late},
        )


@register
class OnboardingStalled(Trigger):
    type = TriggerType.ONBOARDING_STALLED
    reusable_sql = True
    params = (
        Param(
            "days",
            gettext_lazy("No progress for (days)"),
            "int",
            14,
            min=1,
            max=365,
            help=gettext_lazy("Empty uses the team's setting."),
        ),
    )
    account_path = "account"
    fields = ("pk", "account_id", "name", "last_progress_at", "items_done", "items_total")

    def summary(self, p):
        return _("Onboarding checklist stalled for %(n)s days") % {"n": p["days"]}

    def queryset(self, p, ctx):
        try:
            from onboarding.selectors import checklists_stalled
        except ImportError:
            return None
        return checklists_stalled(as_of=ctx.as_of, days=p["days"]).select_related(None).order_by("account_id", "pk")

    def match(self, row, p, ctx):
        idle = (ctx.now - row["last_progress_at"]).days
        return Match(
            account_id=row["account_id"],
            key=f"checklist:{row['pk']}",
            reason=say(
                gettext_noop(
                    "onboarding '%(name)s' stalled: no item done for %(idle)s days (%(done)s of %(total)s done)"
                ),
                name=row["name"],
                idle=number(idle),
                done=number(row["items_done"]),
                total=number(row["items_total"]),
            ),
            signal={
                "checklist_id": row["pk"],
                "idle_days": idle,
                "done": row["items_done"],
                "total": row["items_total"],
            },
        )
