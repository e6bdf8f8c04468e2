"""Playbook triggers. Each one is a set-based query: `queryset()` returns every row that fires
as of a day (accounts, or rows with an `account` FK such as survey responses), in a constant
number of queries whatever the number of accounts; `match()` turns one fetched row into the
occurrence key, the reason a CSM reads, and the signal's figures.

The occurrence key names the trigger occurrence (a survey response, a renewal date, a touch
gap, a day of a health drop...): the enrolment table is unique on it, which is what makes a
re-run or a concurrent run do nothing new. Event-driven runs (a survey answer, a subscription
change, a health band change) use the same queries limited to one account, so they produce
the same keys as the nightly run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import (
    CharField,
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    FloatField,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import HealthBand, LifecycleStage, Tier
from accounts.models import Account, Contact, Subscription, TouchCadence
from usage.models import AccountDailyUsage

from .choices import TriggerType
from .overrides import ON_OVERRIDES_CHOICES, OVERRIDE_SOURCE, fires_on_overrides, measured_band, measured_score

__all__ = [
    "EVENT_BAND_CHANGED",
    "EVENT_RESPONSE_RECORDED",
    "EVENT_SUBSCRIPTION_CHANGED",
    "TRIGGERS",
    "EvalContext",
    "Match",
    "Param",
    "Trigger",
    "get_trigger",
    "triggers_for_event",
]

EVENT_BAND_CHANGED = "health.band_changed"
EVENT_RESPONSE_RECORDED = "survey.response_recorded"
EVENT_SUBSCRIPTION_CHANGED = "subscription.changed"

# A snapshot older than this (days before as_of) is too stale to act on.
SNAPSHOT_MAX_AGE_DAYS = 2


def day_end(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _fmt_int(value) -> str:
    return f"{int(value):,}"


def _fmt_money(value) -> str:
    return f"{Decimal(value or 0):,.0f}"


# Section: framework


@dataclass(frozen=True)
class Param:
    name: str
    label: str
    kind: str = "int"  # "int" | "choice" | "str"
    default: object = None
    choices: tuple[tuple[str, str], ...] = ()
    min: int | None = None
    max: int | None = None
    required: bool = True
    help: str = ""


@dataclass(frozen=True)
class Match:
    account_id: int
    key: str
    reason: str
    signal: dict


@dataclass
class EvalContext:
    as_of: date
    now: datetime
    playbook: object = None
    account_ids: list[int] | None = None
    event: dict | None = None
    dry_run: bool = False
    extra: dict = field(default_factory=dict)


class Trigger:
    type: str = ""
    params: tuple[Param, ...] = ()
    # Events that re-evaluate this trigger at once for the account concerned.
    events: tuple[str, ...] = ()
    # "" when queryset() yields accounts, else the path of the account FK on its rows.
    account_path: str = ""
    fields: tuple[str, ...] = ()
    description: str = ""

    @property
    def label(self) -> str:
        return TriggerType(self.type).label

    # Params

    def validate(self, params: dict) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not isinstance(params, dict):
            return {"params": "must be an object"}
        known = {p.name for p in self.params}
        for name in params:
            if name not in known:
                errors[name] = "unknown parameter"
        for p in self.params:
            value = params.get(p.name, p.default)
            if value in (None, ""):
                if p.required:
                    errors[p.name] = "is required"
                continue
            if p.kind == "int":
                if isinstance(value, bool) or not isinstance(value, int):
                    try:
                        value = int(str(value))
                    except ValueError:
                        errors[p.name] = "must be a whole number"
                        continue
                if p.min is not None and value < p.min:
                    errors[p.name] = f"must be at least {p.min}"
                elif p.max is not None and value > p.max:
                    errors[p.name] = f"must be at most {p.max}"
            elif p.kind == "choice":
                if value not in {c for c, _ in p.choices}:
                    errors[p.name] = f"must be one of: {', '.join(c for c, _ in p.choices)}"
            elif not isinstance(value, str) or len(value) > 128:
                errors[p.name] = "must be text of at most 128 characters"
        return errors

    def clean(self, params: dict) -> dict:
        """Params with defaults filled in and numbers as ints (call after validate)."""
        out = {}
        for p in self.params:
            value = (params or {}).get(p.name, p.default)
            if value in (None, ""):
                value = p.default
            if p.kind == "int" and value is not None:
                value = int(value)
            out[p.name] = value
        return out

    def summary(self, params: dict) -> str:
        return self.label

    # Evaluation

    def get_account_path(self, ctx: EvalContext) -> str:
        return self.account_path

    def prepare(self, p: dict, ctx: EvalContext) -> None:
        """Writes needed before the query (only 'segment entered' keeps state)."""

    def queryset(self, p: dict, ctx: EvalContext) -> QuerySet | None:
        raise NotImplementedError

    def match(self, row: dict, p: dict, ctx: EvalContext) -> Match | None:
        raise NotImplementedError


TRIGGERS: dict[str, Trigger] = {}


def register(cls):
    TRIGGERS[cls.type] = cls()
    return cls


def get_trigger(trigger_type: str) -> Trigger:
    return TRIGGERS[trigger_type]


def triggers_for_event(event: str) -> list[str]:
    return [t.type for t in TRIGGERS.values() if event in t.events]


BAND_CHOICES = tuple((b.value, b.label) for b in HealthBand)


def _health_models():
    try:
        from health.models import HealthScore
    except ImportError:  # health not installed: nothing to read
        return None
    return HealthScore


# Section: health


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
    params = (
        Param("to_band", "Changes to", "choice", "red", BAND_CHOICES),
        Param("from_band", "From", "choice", "any", (("any", "Any band"), *BAND_CHOICES)),
        *_override_params(),
    )
    events = (EVENT_BAND_CHANGED,)
    fields = ("pk", "band_now", "band_prev", "score_now", "score_prev", "day_now", "source_now", "source_prev")

    def summary(self, p):
        frm = "" if p["from_band"] == "any" else f" from {p['from_band']}"
        also = _(" (manual overrides too)") if fires_on_overrides(p) else ""
        return f"Health band changes{frm} to {p['to_band']}{also}"

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
        scores = ""
        if row["score_prev"] is not None and row["score_now"] is not None:
            scores = f" (score {row['score_prev']} → {row['score_now']})"
        return Match(
            account_id=row["pk"],
            key=f"band:{row['band_prev']}>{row['band_now']}:{row['day_now']}",
            reason=f"health band went from {row['band_prev']} to {row['band_now']}{scores} on {row['day_now']:%d %b}",
            signal={k: row[k] for k in ("band_prev", "band_now", "score_prev", "score_now")}
            | {
                "day": row["day_now"].isoformat(),
                "is_override": OVERRIDE_SOURCE in (row["source_now"], row["source_prev"]),
            },
        )


@register
class HealthDrop(Trigger):
    type = TriggerType.HEALTH_DROP
    params = (
        Param("points", "Drop of at least (points)", "int", 15, min=1, max=100),
        Param("days", "Within (days)", "int", 7, min=1, max=180),
        *_override_params(),
    )
    events = (EVENT_BAND_CHANGED,)
    fields = ("pk", "score_now", "score_then", "day_now", "source_now", "source_then")

    def summary(self, p):
        also = _(" (manual overrides too)") if fires_on_overrides(p) else ""
        return f"Health drops {p['points']}+ points in {p['days']} days{also}"

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
            reason=f"health fell from {row['score_then']} to {row['score_now']} in {p['days']} days",
            signal={
                "score_then": row["score_then"],
                "score_now": row["score_now"],
                "days": p["days"],
                "is_override": OVERRIDE_SOURCE in (row["source_now"], row["source_then"]),
            },
        )


# Section: usage


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
    params = (
        Param("percent", "Drop of at least (%)", "int", 30, min=1, max=100),
        Param("days", "Window (days)", "int", 30, min=7, max=90, help="The last N days against the N before."),
        Param("min_events", "Only if the earlier window had at least (events)", "int", 20, min=1),
    )
    fields = ("pk", "recent", "previous")

    def summary(self, p):
        return f"Usage drops {p['percent']}%+ (last {p['days']} days vs the {p['days']} before)"

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
            reason=(
                f"usage fell {drop}% ({_fmt_int(row['previous'])} → {_fmt_int(row['recent'])} events, "
                f"last {p['days']} days vs the {p['days']} before)"
            ),
            signal={"previous": row["previous"], "recent": row["recent"], "drop_percent": drop, "days": p["days"]},
        )


@register
class FeatureGrowth(Trigger):
    type = TriggerType.FEATURE_GROWTH
    params = (
        Param("feature", "Feature (usage event name)", "str", "", required=True),
        Param("percent", "Growth of at least (%)", "int", 100, min=10, max=10000),
        Param("days", "Window (days)", "int", 14, min=1, max=90),
        Param("min_events", "Only with at least (events, last window)", "int", 10, min=1),
    )
    fields = ("pk", "recent", "previous")

    def summary(self, p):
        return f"Use of '{p['feature']}' grows {p['percent']}%+ in {p['days']} days"

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
            "new" if not row["previous"] else f"+{round(100 * (row['recent'] - row['previous']) / row['previous'])}%"
        )
        return Match(
            account_id=row["pk"],
            key=f"feature_growth:{p['feature']}:{ctx.as_of}",
            reason=(
                f"use of '{p['feature']}' grew {growth} ({_fmt_int(row['previous'])} → {_fmt_int(row['recent'])}, "
                f"last {p['days']} days vs the {p['days']} before)"
            ),
            signal={"feature": p["feature"], "previous": row["previous"], "recent": row["recent"]},
        )


@register
class EntitlementUsage(Trigger):
    type = TriggerType.ENTITLEMENT_USAGE
    params = (
        Param(
            "metric",
            "Entitlement",
            "str",
            "seats",
            help="A key of the plan's entitlements: 'seats' (active contacts, last 30 days) or a usage event name.",
        ),
        Param("percent", "At least (% of the limit)", "int", 80, min=1, max=1000),
        Param("days", "Usage window (days)", "int", 30, min=1, max=90),
        Param(
            "event",
            "Counted usage event",
            "str",
            "",
            required=False,
            help="The usage event that spends the entitlement (default: the entitlement's own name).",
        ),
    )
    events = (EVENT_SUBSCRIPTION_CHANGED,)
    account_path = "account"
    fields = ("pk", "account_id", "plan", "limit", "used")

    def summary(self, p):
        return f"Usage at {p['percent']}%+ of the plan's '{p['metric']}'"

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
            reason=(
                f"uses {_fmt_int(row['used'])} of {_fmt_int(row['limit'])} {p['metric']} ({pct}%) "
                f"on the {row['plan']} plan"
            ),
            signal={
                "metric": p["metric"],
                "used": row["used"],
                "limit": row["limit"],
                "percent": pct,
                "plan": row["plan"],
            },
        )


# Section: surveys

SURVEY_ANSWERS = (
    ("detractor", "NPS detractor (0–6)"),
    ("passive", "NPS passive (7–8)"),
    ("promoter", "NPS promoter (9–10)"),
    ("low_csat", "Low CSAT (1–2)"),
)
_ANSWER_FILTER = {
    "detractor": Q(kind="nps", score__lte=6),
    "passive": Q(kind="nps", score__gte=7, score__lte=8),
    "promoter": Q(kind="nps", score__gte=9),
    "low_csat": Q(kind="csat", score__lte=2),
}


@register
class SurveyAnswer(Trigger):
    type = TriggerType.SURVEY_ANSWER
    params = (
        Param("answer", "Answer", "choice", "detractor", SURVEY_ANSWERS),
        Param("lookback_days", "Answered within (days)", "int", 3, min=1, max=60),
    )
    events = (EVENT_RESPONSE_RECORDED,)
    account_path = "account"
    fields = ("pk", "account_id", "kind", "score", "comment", "submitted_at", "contact__name", "contact__email")

    def summary(self, p):
        return dict(SURVEY_ANSWERS)[p["answer"]]

    def queryset(self, p, ctx):
        try:
            from surveys.models import SurveyResponse
        except ImportError:
            return None
        return (
            SurveyResponse.objects.customer_answers()  # imported history fires no playbook
            .filter(account__isnull=False)
            .filter(_ANSWER_FILTER[p["answer"]])
            .filter(submitted_at__gt=ctx.now - timedelta(days=p["lookback_days"]), submitted_at__lte=ctx.now)
            .order_by("account_id", "-submitted_at", "-pk")
        )

    def match(self, row, p, ctx):
        who = row["contact__name"] or row["contact__email"] or "an anonymous contact"
        label = {"detractor": "detractor", "passive": "passive", "promoter": "promoter", "low_csat": "low"}[p["answer"]]
        comment = row["comment"].strip()
        quoted = f': "{comment[:140]}{"…" if len(comment) > 140 else ""}"' if comment else ""
        return Match(
            account_id=row["account_id"],
            key=f"response:{row['pk']}",
            reason=f"{row['kind'].upper()} {row['score']} ({label}) from {who} on {row['submitted_at']:%d %b}{quoted}",
            signal={"response_id": row["pk"], "kind": row["kind"], "score": row["score"], "comment": comment[:500]},
        )


# Section: revenue


@register
class RenewalDue(Trigger):
    type = TriggerType.RENEWAL_DUE
    params = (Param("days", "Renews within (days)", "int", 90, min=1, max=365),)
    events = (EVENT_SUBSCRIPTION_CHANGED,)
    fields = ("pk", "renewal_date", "mrr")

    def summary(self, p):
        return f"Renewal in {p['days']} days or less"

    def queryset(self, p, ctx):
        return Account.objects.filter(renewal_date__gte=ctx.as_of, renewal_date__lte=ctx.as_of + timedelta(p["days"]))

    def match(self, row, p, ctx):
        days = (row["renewal_date"] - ctx.as_of).days
        return Match(
            account_id=row["pk"],
            key=f"renewal:{row['renewal_date']}",
            reason=f"renews on {row['renewal_date']:%d %b %Y} (in {days} days), ARR {_fmt_money(row['mrr'] * 12)}",
            signal={"renewal_date": row["renewal_date"].isoformat(), "days": days, "arr": str(row["mrr"] * 12)},
        )


SUBSCRIPTION_CHANGES = (("upgrade", "Upgrade"), ("downgrade", "Downgrade"), ("cancelled", "Cancellation"))


@register
class SubscriptionChange(Trigger):
    type = TriggerType.SUBSCRIPTION_CHANGE
    params = (
        Param("change", "Change", "choice", "cancelled", SUBSCRIPTION_CHANGES),
        Param("lookback_days", "Changed within (days, nightly catch-up)", "int", 3, min=1, max=60),
    )
    events = (EVENT_SUBSCRIPTION_CHANGED,)
    account_path = "account"
    fields = ("pk", "account_id", "plan", "mrr", "prev_mrr", "change")

    def summary(self, p):
        return f"Subscription {dict(SUBSCRIPTION_CHANGES)[p['change']].lower()}"

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
        if row["change"] == "cancelled":
            reason = f"cancelled the {row['plan']} plan (MRR {_fmt_money(mrr)})"
        elif row["prev_mrr"] is not None:
            reason = f"{row['change']}d to {row['plan']}: MRR {_fmt_money(row['prev_mrr'])} → {_fmt_money(mrr)}"
        else:
            reason = f"{row['change']}d to {row['plan']} (MRR {_fmt_money(mrr)})"
        return Match(
            account_id=row["account_id"],
            key=f"subscription:{row['pk']}:{row['change']}",
            reason=reason,
            signal={"subscription_id": row["pk"], "change": row["change"], "plan": row["plan"], "mrr": str(mrr)},
        )


def _window_month_days(target: date, tolerance: int) -> list[date]:
    """`target` and the `tolerance` days before it: a missed nightly run still catches up."""
    return [target - timedelta(days=i) for i in range(tolerance + 1)]


def _month_day_q(field_name: str, days: list[date]) -> Q:
    q = Q()
    for d in days:
        q |= Q(**{f"{field_name}__month": d.month, f"{field_name}__day": d.day})
    return q


@register
class ContractAnniversary(Trigger):
    type = TriggerType.CONTRACT_ANNIVERSARY
    params = (Param("days_before", "Days before the anniversary", "int", 14, min=0, max=90),)
    fields = ("pk", "contract_start")
    tolerance = 3

    def summary(self, p):
        return f"Contract anniversary in {p['days_before']} days"

    def queryset(self, p, ctx):
        first_paid = (
            Subscription.objects.paid()
            .filter(account_id=OuterRef("pk"))
            .order_by()
            .values("account_id")
            .annotate(first=Min("start_date"))
            .values("first")[:1]
        )
        target = ctx.as_of + timedelta(days=p["days_before"])
        days = _window_month_days(target, self.tolerance)
        return (
            Account.objects.annotate(contract_start=Subquery(first_paid, output_field=DateField()))
            .filter(contract_start__isnull=False, contract_start__lte=target - timedelta(days=330))
            .filter(_month_day_q("contract_start", days))
        )

    def match(self, row, p, ctx):
        start = row["contract_start"]
        target = ctx.as_of + timedelta(days=p["days_before"])
        for d in _window_month_days(target, self.tolerance):
            if (d.month, d.day) == (start.month, start.day):
                anniversary = d
                break
        else:  # pragma: no cover - the query only returns rows in the window
            return None
        years = anniversary.year - start.year
        if years < 1:
            return None
        return Match(
            account_id=row["pk"],
            key=f"anniversary:{anniversary.year}",
            reason=(
                f"{years} year{'s' if years != 1 else ''} as a customer on {anniversary:%d %b %Y} "
                f"(since {start:%d %b %Y})"
            ),
            signal={"contract_start": start.isoformat(), "anniversary": anniversary.isoformat(), "years": years},
        )


@register
class ContactBirthday(Trigger):
    type = TriggerType.CONTACT_BIRTHDAY
    params = (Param("days_before", "Days before the birthday", "int", 3, min=0, max=30),)
    account_path = "account"
    fields = ("pk", "account_id", "name", "email", "birthday")
    tolerance = 2

    def summary(self, p):
        return f"A contact's birthday in {p['days_before']} days"

    def queryset(self, p, ctx):
        target = ctx.as_of + timedelta(days=p["days_before"])
        return (
            Contact.objects.filter(account__isnull=False, birthday__isnull=False)
            .filter(_month_day_q("birthday", _window_month_days(target, self.tolerance)))
            .order_by("account_id", "pk")
        )

    def match(self, row, p, ctx):
        target = ctx.as_of + timedelta(days=p["days_before"])
        b = row["birthday"]
        day = next(d for d in _window_month_days(target, self.tolerance) if (d.month, d.day) == (b.month, b.day))
        return Match(
            account_id=row["account_id"],
            key=f"birthday:{row['pk']}:{day.year}",
            reason=f"{row['name'] or row['email']}'s birthday is on {day:%d %B}",
            signal={"contact_id": row["pk"], "birthday": day.isoformat()},
        )


# Section: onboarding


@register
class OnboardingOverdue(Trigger):
    type = TriggerType.ONBOARDING_OVERDUE
    params = (Param("days_overdue", "Overdue by at least (days)", "int", 1, min=1, max=180),)
    account_path = "checklist__account"
    fields = ("pk", "checklist__account_id", "title", "due_date", "checklist__name")

    def summary(self, p):
        return f"An onboarding item is {p['days_overdue']}+ days overdue"

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
            reason=(
                f"onboarding item '{row['title']}' ({row['checklist__name']}) was due "
                f"{row['due_date']:%d %b}, {late} days ago"
            ),
            signal={"item_id": row["pk"], "due_date": row["due_date"].isoformat(), "days_overdue": late},
        )


@register
class OnboardingStalled(Trigger):
    type = TriggerType.ONBOARDING_STALLED
    params = (
        Param("days", "No progress for (days)", "int", 14, min=1, max=365, help="Empty uses the team's setting."),
    )
    account_path = "account"
    fields = ("pk", "account_id", "name", "last_progress_at", "items_done", "items_total")

    def summary(self, p):
        return f"Onboarding checklist stalled for {p['days']} days"

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
            reason=(
                f"onboarding '{row['name']}' stalled: no item done for {idle} days "
                f"({row['items_done']} of {row['items_total']} done)"
            ),
            signal={
                "checklist_id": row["pk"],
                "idle_days": idle,
                "done": row["items_done"],
                "total": row["items_total"],
            },
        )


# Section: touch and segments


@register
class NoTouch(Trigger):
    type = TriggerType.NO_TOUCH
    params = (Param("grace_days", "Grace period (days past the cadence)", "int", 0, min=0, max=90),)
    fields = ("pk", "tier", "last_touch_at", "created_at")

    def summary(self, p):
        grace = f" + {p['grace_days']} days" if p["grace_days"] else ""
        return f"No CSM touch for longer than the tier's cadence{grace}"

    def queryset(self, p, ctx):
        cadence = TouchCadence.days_by_tier()
        ctx.extra["cadence"] = cadence
        q = Q()
        for tier, days in cadence.items():
            cutoff = ctx.now - timedelta(days=days + p["grace_days"])
            q |= Q(tier=tier) & (Q(last_touch_at__lt=cutoff) | Q(last_touch_at__isnull=True, created_at__lt=cutoff))
        return Account.objects.filter(q).exclude(lifecycle_stage=LifecycleStage.CHURNED)

    def match(self, row, p, ctx):
        every = ctx.extra["cadence"].get(row["tier"])
        last = row["last_touch_at"]
        since = (ctx.now - (last or row["created_at"])).days
        what = f"no CSM touch for {since} days" if last else f"never touched ({since} days as a customer)"
        return Match(
            account_id=row["pk"],
            key=f"no_touch:{last.date() if last else 'never'}",
            reason=f"{what}; {Tier(row['tier']).label} accounts are due every {every} days",
            signal={"last_touch_at": last.isoformat() if last else None, "days": since, "cadence_days": every},
        )


SEGMENT_FIELDS = (
    ("segment", "Segment"),
    ("tier", "Tier"),
    ("lifecycle_stage", "Lifecycle stage"),
    ("health_band", "Health band"),
)


@register
class SegmentEntered(Trigger):
    """Membership is kept in SegmentMembership: a new row means the account entered. The
    first evaluation only records who is already in (unless `include_existing`)."""

    type = TriggerType.SEGMENT_ENTERED
    params = (
        Param("field", "Field", "choice", "segment", SEGMENT_FIELDS),
        Param("value", "Value", "str", ""),
        Param("include_existing", "Fire for accounts already in it", "choice", "no", (("no", "No"), ("yes", "Yes"))),
    )
    events = (EVENT_SUBSCRIPTION_CHANGED, EVENT_BAND_CHANGED)
    account_path = "account"
    fields = ("pk", "account_id", "entered_at")

    def summary(self, p):
        return f"Account enters {dict(SEGMENT_FIELDS)[p['field']].lower()} '{p['value']}'"

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
        from .models import SegmentMembership

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
        from .models import SegmentMembership

        if ctx.dry_run:
            # Who would enter now, without recording anything.
            fresh = self._members_now(p, ctx).exclude(
                Exists(SegmentMembership.objects.filter(playbook_id=ctx.playbook.pk, account_id=OuterRef("pk")))
            )
            return fresh.annotate(account_id=F("pk"), entered_at=Value(ctx.now, output_field=DateTimeField()))
        return SegmentMembership.objects.filter(playbook=ctx.playbook, baseline=False).order_by("account_id")

    def match(self, row, p, ctx):
        label = dict(SEGMENT_FIELDS)[p["field"]].lower()
        return Match(
            account_id=row["account_id"],
            key=f"enter:{p['field']}={p['value']}:{row['pk']}",
            reason=f"entered {label} '{p['value']}' on {row['entered_at']:%d %b %Y}",
            signal={"field": p["field"], "value": p["value"]},
        )
