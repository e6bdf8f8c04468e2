"""The "segment entered" trigger: the only one that keeps state (SegmentMembership)."""

from __future__ import annotations

from django.db.models import DateTimeField, Exists, F, OuterRef, Value
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.models import Account

from ..choices import TriggerType
from ..reasons import day, label, say
from .base import EVENT_BAND_CHANGED, EVENT_SUBSCRIPTION_CHANGED, Match, Param, Trigger
from .registry import register

SEGMENT_FIELDS = (
    ("segment", gettext_lazy("Segment")),
    ("tier", gettext_lazy("Tier")),
    ("lifecycle_stage", gettext_lazy("Lifecycle stage")),
    ("health_band", gettext_lazy("Health band")),
)


@register
class SegmentEntered(Trigger):
    """Membership is kept in SegmentMembership: a new row means the account entered. The
    first evaluation only records who is already in (unless `include_existing`)."""

    type = TriggerType.SEGMENT_ENTERED
    params = (
        Param("field", gettext_lazy("Field"), "choice", "segment", SEGMENT_FIELDS),
        Param("value", gettext_lazy("Value"), "str", ""),
        Param(
            "include_existing",
            gettext_lazy("Fire for accounts already in it"),
            "choice",
            "no",
            (("no", gettext_lazy("No")), ("yes", gettext_lazy("Yes"))),
        ),
    )
    events = (EVENT_SUBSCRIPTION_CHANGED, EVENT_BAND_CHANGED)
    account_path = "account"
    fields = ("pk", "account_id", "entered_at")

    def summary(self, p):
        return _("Account enters %(field)s ‘%(value)s’") % {
            "field": str(dict(SEGMENT_FIELDS)[p["field"]]).lower(),
            "value": p["value"],
        }

    def get_account_path(self, ctx):
        return "" if ctx.dry_run else "account"

    def _members_now(self, p, ctx):
        qs = Account.objects.filter(**{p["field"]: p["value"]})
        if ctx.account_ids is not None:
            qs = qs.filter(pk__in=ctx.account_ids)
        return qs

    def prepare(self, p, ctx):
        if ctx.dry_run:
            return
        from ..models import SegmentMembership

        playbook = ctx.playbook
        memberships = SegmentMembership.objects.filter(playbook=playbook)
        first_time = not memberships.exists() and not playbook.runs.filter(status="done").exists()
        left = memberships.exclude(account__in=Account.objects.filter(**{p["field"]: p["value"]}))
        if ctx.account_ids is not None:
            left = left.filter(account_id__in=ctx.account_ids)
        left.delete()
        new_ids = list(
            self._members_now(p, ctx)
            .exclude(Exists(SegmentMembership.objects.filter(playbook=playbook, account_id=OuterRef("pk"))))
            .values_list("pk", flat=True)
        )
        baseline = first_time and p["include_existing"] != "yes"
        SegmentMembership.objects.bulk_create(
            [
                SegmentMembership(playbook=playbook, account_id=i, entered_at=ctx.now, baseline=baseline)
                for i in new_ids
            ],
            ignore_conflicts=True,
            batch_size=2000,
        )

    def queryset(self, p, ctx):
        from ..models import SegmentMembership

        if ctx.dry_run:
            # Who would enter now, without recording anything.
            fresh = self._members_now(p, ctx).exclude(
                Exists(SegmentMembership.objects.filter(playbook_id=ctx.playbook.pk, account_id=OuterRef("pk")))
            )
            return fresh.annotate(account_id=F("pk"), entered_at=Value(ctx.now, output_field=DateTimeField()))
        return SegmentMembership.objects.filter(playbook=ctx.playbook, baseline=False).order_by("account_id")

    def match(self, row, p, ctx):
        field_label = dict(SEGMENT_FIELDS)[p["field"]]
        return Match(
            account_id=row["account_id"],
            key=f"enter:{p['field']}={p['value']}:{row['pk']}",
            reason=say(
                gettext_noop("entered %(field)s '%(value)s' on %(day)s"),
                field=label(field_label, lower=True),
                value=p["value"],
                day=day(row["entered_at"], "%d %b %Y"),
            ),
            signal={"field": p["field"], "value": p["value"]},
        )
