"""Health triggers: a band change and a drop of the score, read from the daily snapshots (manual
overrides ignored unless the playbook says to fire on them)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import CharField, DateField, F, IntegerField, OuterRef, Subquery, Value
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.choices import HealthBand
from accounts.models import Account

from ..choices import TriggerType
from ..overrides import ON_OVERRIDES_CHOICES, OVERRIDE_SOURCE, fires_on_overrides, measured_band, measured_score
from ..reasons import day, label, number, say
from .base import EVENT_BAND_CHANGED, SNAPSHOT_MAX_AGE_DAYS, Match, Param, Trigger
from .registry import register

BAND_CHOICES = tuple((b.value, b.label) for b in HealthBand)


def _health_models():
    try:
        from health.models import HealthScore
    except ImportError:  # health not installed: nothing to read
        return None
    return HealthScore


def _override_params() -> tuple[Param, ...]:
    return (
        Param(
            "on_overrides",
            gettext_lazy("Manual overrides"),
            "choice",
            "ignore",
            ON_OVERRIDES_CHOICES,
            help=gettext_lazy("A CSM's temporary override of the score: ignored unless you choose to fire on it."),
        ),
    )


def _snapshot_values(latest, p):
    """(score, band) expressions for a snapshot: as shown, or as measured when overrides are ignored."""
    if fires_on_overrides(p):
        return latest, "score", "band"
    return latest.annotate(m_score=measured_score(), m_band=measured_band()), "m_score", "m_band"


@register
class HealthBandChange(Trigger):
    type = TriggerType.HEALTH_BAND_CHANGE
    reusable_sql = True
    reads_event = True
    params = (
        Param("to_band", gettext_lazy("Changes to"), "choice", "red", BAND_CHOICES),
        Param("from_band", gettext_lazy("From"), "choice", "any", (("any", gettext_lazy("Any band")), *BAND_CHOICES)),
        *_override_params(),
    )
    events = (EVENT_BAND_CHANGED,)
    fields = ("pk", "band_now", "band_prev", "score_now", "score_prev", "day_now", "source_now", "source_prev")

    def summary(self, p):
        bands = dict(BAND_CHOICES)
        also = _(" (manual overrides too)") if fires_on_overrides(p) else ""
        to_band = bands.get(p["to_band"], p["to_band"])
        if p["from_band"] == "any":
            return _("Health band changes to %(to)s%(also)s") % {"to": to_band, "also": also}
        from_band = bands.get(p["from_band"], p["from_band"])
        return _("Health band changes from %(from)s to %(to)s%(also)s") % {
            "from": from_band,
            "to": to_band,
            "also": also,
        }

    def queryset(self, p, ctx):
        event = ctx.event or {}
        if event.get("event") == EVENT_BAND_CHANGED:
            if event.get("is_override") and not fires_on_overrides(p):
                return Account.objects.none()  # a CSM's override, not a measured change
            qs = Account.objects.filter(pk=event["account_id"]).annotate(
                band_now=Value(event.get("new_band") or "", output_field=CharField()),
                band_prev=Value(event.get("old_band") or "", output_field=CharField()),
                score_now=Value(event.get("new_score"), output_field=IntegerField()),
                score_prev=Value(event.get("old_score"), output_field=IntegerField()),
                day_now=Value(date.fromisoformat(str(event.get("day") or ctx.as_of)), output_field=DateField()),
                source_now=Value(OVERRIDE_SOURCE if event.get("is_override") else "", output_field=CharField()),
                source_prev=Value("", output_field=CharField()),
            )
        else:
            HealthScore = _health_models()
            if HealthScore is None:
                return None
            latest, score, band = _snapshot_values(
                HealthScore.objects.filter(
                    account_id=OuterRef("pk"),
                    day__lte=ctx.as_of,
                    day__gte=ctx.as_of - timedelta(SNAPSHOT_MAX_AGE_DAYS),
                ).order_by("-day"),
                p,
            )
            before, _s, _b = _snapshot_values(
                HealthScore.objects.filter(account_id=OuterRef("pk"), day__lt=OuterRef("day_now")).order_by("-day"),
                p,
            )
            qs = (
                Account.objects.annotate(day_now=Subquery(latest.values("day")[:1]))
                .filter(day_now__isnull=False)
                .annotate(
                    band_now=Subquery(latest.values(band)[:1]),
                    score_now=Subquery(latest.values(score)[:1]),
                    band_prev=Subquery(before.values(band)[:1]),
                    score_prev=Subquery(before.values(score)[:1]),
                )
            )
            if fires_on_overrides(p):
                qs = qs.annotate(
                    source_now=Subquery(latest.values("source")[:1]),
                    source_prev=Subquery(before.values("source")[:1]),
                )
            else:  # measured values: no override in them
                qs = qs.annotate(
                    source_now=Value("", output_field=CharField()), source_prev=Value("", output_field=CharField())
                )
        qs = (
            qs.filter(band_now=p["to_band"], band_prev__isnull=False)
            .exclude(band_prev="")
            .exclude(band_prev=F("band_now"))
        )
        if p["from_band"] != "any":
            qs = qs.filter(band_prev=p["from_band"])
        return qs

    def match(self, row, p, ctx):
        bands = {
            "before": label(HealthBand(row["band_prev"]).label, lower=True),
            "after": label(HealthBand(row["band_now"]).label, lower=True),
            "day": day(row["day_now"]),
        }
        if row["score_prev"] is not None and row["score_now"] is not None:
            said = say(
                gettext_noop("health band went from %(before)s to %(after)s (score %(then)s → %(now)s) on %(day)s"),
                then=number(row["score_prev"]),
                now=number(row["score_now"]),
                **bands,
            )
        else:
            said = say(gettext_noop("health band went from %(before)s to %(after)s on %(day)s"), **bands)
        return Match(
            account_id=row["pk"],
            key=f"band:{row['band_prev']}>{row['band_now']}:{row['day_now']}",
            reason=said,
            signal={k: row[k] for k in ("band_prev", "band_now", "score_prev", "score_now")}
            | {
                "day": row["day_now"].isoformat(),
                "is_override": OVERRIDE_SOURCE in (row["source_now"], row["source_prev"]),
            },
        )


@register
class HealthDrop(Trigger):
    type = TriggerType.HEALTH_DROP
    reusable_sql = True
    params = (
        Param("points", gettext_lazy("Drop of at least (points)"), "int", 15, min=1, max=100),
        Param("days", gettext_lazy("Within (days)"), "int", 7, min=1, max=180),
        *_override_params(),
    )
    events = (EVENT_BAND_CHANGED,)
    fields = ("pk", "score_now", "score_then", "day_now", "source_now", "source_then")

    def summary(self, p):
        also = _(" (manual overrides too)") if fires_on_overrides(p) else ""
        return _("Health drops %(points)s+ points in %(days)s days%(also)s") % {
            "points": p["points"],
            "days": p["days"],
            "also": also,
        }

    def queryset(self, p, ctx):
        HealthScore = _health_models()
        if HealthScore is None:
            return None
        latest, score, _b = _snapshot_values(
            HealthScore.objects.filter(
                account_id=OuterRef("pk"), day__lte=ctx.as_of, day__gte=ctx.as_of - timedelta(SNAPSHOT_MAX_AGE_DAYS)
            ).order_by("-day"),
            p,
        )
        then, _s, _b = _snapshot_values(
            HealthScore.objects.filter(account_id=OuterRef("pk"), day__lte=ctx.as_of - timedelta(p["days"])).order_by(
                "-day"
            ),
            p,
        )
        qs = Account.objects.annotate(
            day_now=Subquery(latest.values("day")[:1]),
            score_now=Subquery(latest.values(score)[:1]),
            score_then=Subquery(then.values(score)[:1]),
        )
        if fires_on_overrides(p):
            qs = qs.annotate(
                source_now=Subquery(latest.values("source")[:1]), source_then=Subquery(then.values("source")[:1])
            )
        else:
            qs = qs.annotate(
                source_now=Value("", output_field=CharField()), source_then=Value("", output_field=CharField())
            )
        return qs.filter(score_now__isnull=False, score_then__isnull=False).filter(
            score_then__gte=F("score_now") + p["points"]
        )

    def match(self, row, p, ctx):
        return Match(
            account_id=row["pk"],
            # One occurrence per snapshot day; the cooldown keeps a lasting drop from firing daily.
            key=f"health_drop:{row['day_now']}",
            reason=say(
                gettext_noop("health fell from %(then)s to %(now)s in %(days)s days"),
                then=number(row["score_then"]),
                now=number(row["score_now"]),
                days=number(p["days"]),
            ),
            signal={
                "score_then": row["score_then"],
                "score_now": row["score_now"],
                "days": p["days"],
                "is_override": OVERRIDE_SOURCE in (row["source_now"], row["source_then"]),
            },
        )
