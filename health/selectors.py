"""Health reads: history, the account card, band spreads and the scorecard preview."""

from collections import Counter
from datetime import date, timedelta
from typing import Any

from django.db.models import Count
from django.db.models.functions import Mod
from django.utils import timezone
from django.utils.translation import gettext

from .backtest import churn_risk
from .backtest.rates import RATE_PREFIX, is_rate, rates_for
from .custom_measures import custom_field_measures_sync
from .models import ChurnModel, CsmSentiment, HealthOverride, HealthScore, HealthSettings, Scorecard
from .registry import MEASURES
from .scoring import Plan, combine, pick_plan

PREVIEW_MAX_ACCOUNTS = 20_000


def account_health_history(account_id: int, days: int = 90, *, end: date | None = None) -> list[HealthScore]:
    """The account's snapshots over the `days` days ending `end` (today), oldest first."""
    end = end or timezone.now().date()
    return list(
        HealthScore.objects.filter(account_id=account_id, day__gt=end - timedelta(days=days), day__lte=end)
        .order_by("day")
        .only("day", "score", "band", "source", "computed_score")
    )


def measure_label(key: str, *, sync: bool = True) -> str:
    """A measure's label. `sync=False` when the caller synced the custom-field measures once
    for a whole list: the sync reads the definitions' version from the cache, one Redis round
    trip per label (19 per account page, thousands for the churn list; make soak)."""
    if is_rate(key):  # the learned model's event rates (health.backtest.rates)
        return gettext("%(event)s events in the last 30 days") % {"event": key.removeprefix(RATE_PREFIX)}
    if sync:
        custom_field_measures_sync()
    measure = MEASURES.get(key)
    return measure.label if measure else key.replace("_", " ").capitalize()


def measure_rows(details: dict) -> list[dict]:
    """A snapshot's measures for display: each with label, unit, value, score, weight,
    contribution and `drag` (points lost against a perfect score, weighted), biggest
    drags first, no-data last."""
    present = [d for d in details.values() if d.get("score") is not None and d.get("weight")]
    total_weight = sum(d["weight"] for d in present)
    rows = []
    custom_field_measures_sync()
    for key, d in details.items():
        measure = MEASURES.get(key)
        drag = None
        if d.get("score") is not None and total_weight:
            drag = round(d["weight"] * (100 - d["score"]) / total_weight, 1)
        rows.append(
            {
                "key": key,
                "label": measure_label(key, sync=False),
                "unit": measure.unit if measure else "",
                "value": d.get("value"),
                "score": d.get("score"),
                "weight": d.get("weight"),
                "contribution": d.get("contribution"),
                "drag": drag,
                # gettext picks a plural form by a whole number (a float is deprecated in Python 3.12)
                "drag_n": None if drag is None else int(drag),
                "available": measure is not None,
            }
        )
    rows.sort(key=lambda r: (r["drag"] is None, -(r["drag"] or 0)))
    return rows


def _daily_series(history: list[HealthScore]) -> dict:
    """One label per day from the first snapshot to the last, None where a day has none (a
    history kept weekly before its last weeks), so the chart's category axis keeps time even."""
    if not history:
        return {"labels": [], "scores": []}
    scores = {h.day: h.score for h in history}
    first, span = history[0].day, (history[-1].day - history[0].day).days
    days = [first + timedelta(days=i) for i in range(span + 1)]
    return {"labels": [d.isoformat() for d in days], "scores": [scores.get(d) for d in days]}


def account_health_card(account) -> dict:
    """Everything the account page's health card shows, in a constant number of queries."""
    history = account_health_history(account.id, 90)
    latest = HealthScore.objects.filter(account_id=account.id).select_related("scorecard").order_by("-day").first()
    now = timezone.now()
    override = (
        HealthOverride.objects.filter(account_id=account.id, cleared_at__isnull=True, expires_at__gt=now)
        .select_related("author")
        .first()
    )
    sentiment = CsmSentiment.objects.filter(account_id=account.id).select_related("author").first()
    settings_obj = HealthSettings.load()
    stale = bool(sentiment and sentiment.recorded_at < now - timedelta(days=settings_obj.sentiment_stale_days))
    rows = measure_rows(latest.measures) if latest else []
    return {
        "latest": latest,
        "rows": rows,
        "pulling_down": [r for r in rows if r["drag"] and r["drag"] >= 3][:3],
        "history": history,
        "recent": list(reversed(history[-10:])),
        "chart": {
            **_daily_series(history),
            "red_below": latest.scorecard.red_below if latest and latest.scorecard else 40,
            "green_from": latest.scorecard.green_from if latest and latest.scorecard else 70,
            "legend": gettext("Health"),  # the chart's tooltip, in the reader's language
        },
        "history_status": history_status(latest.measures) if latest else {"days": None, "insufficient": False},
        "override": override,
        "sentiment": sentiment,
        "sentiment_stale": stale,
        "stale_days": settings_obj.sentiment_stale_days,
    }


def latest_day() -> date | None:
    return HealthScore.objects.order_by("-day").values_list("day", flat=True).first()


def band_spread(*, day: date | None = None) -> dict[int | None, Counter]:
    """{scorecard_id: Counter(band -> accounts)} on `day` (the latest), one query."""
    day = day or latest_day()
    spread: dict[int | None, Counter] = {}
    if day is None:
        return spread
    for scorecard_id, band, n in (
        HealthScore.objects.filter(day=day).values_list("scorecard_id", "band").annotate(n=Count("id")).order_by()
    ):
        spread.setdefault(scorecard_id, Counter())[band] += n
    return spread


def scorecard_preview(*, plan: Plan, other_plans: list[Plan]) -> dict:
    """How accounts would spread over the bands with this (unsaved) scorecard: the latest
    snapshots' stored raw values rescored in memory, for the accounts the scorecard would
    apply to (given the other scorecards). Large books are sampled."""
    day = latest_day()
    result: dict[str, Any] = {
        "day": day,
        "current": Counter(),
        "preview": Counter(),
        "accounts": 0,
        "sampled": False,
        "missing": [],
    }
    if day is None:
        return result
    plans = [*other_plans, plan]
    qs = HealthScore.objects.filter(day=day)
    total = qs.count()
    if total > PREVIEW_MAX_ACCOUNTS:
        result["sampled"] = True
        step = -(-total // PREVIEW_MAX_ACCOUNTS)
        qs = qs.annotate(bucket=Mod("account_id", step)).filter(bucket=0)
    missing: set[str] = set()
    for tier, segment, band, measures in qs.values_list(
        "account__tier", "account__segment", "band", "measures"
    ).iterator(chunk_size=5000):
        if pick_plan(plans, tier, segment) is not plan:
            continue
        raw = {k: (measures.get(k) or {}).get("value") for k in (m.key for m in plan.measures)}
        missing.update(m.key for m in plan.measures if m.key not in measures)
        score, _ = combine(plan.measures, raw)
        result["accounts"] += 1
        result["current"][band] += 1
        result["preview"][plan.band(score) if score is not None else "none"] += 1
    result["missing"] = sorted(missing)
    return result


def scorecards_with_spread() -> list[tuple[Scorecard, Counter]]:
    spread = band_spread()
    scorecards = Scorecard.objects.current().select_related("created_by").prefetch_related("measures")
    return [(sc, spread.get(sc.id, Counter())) for sc in scorecards]


def scorecard_list_rows() -> list[dict]:
    """The scorecards page: each scorecard with its measures (heaviest first), how the
    latest day's accounts spread over its bands (counts and percentages), and its retired
    versions (newest first)."""
    rows = []
    retired: dict[int, list[Scorecard]] = {}
    for old in Scorecard.objects.filter(retired_at__isnull=False).order_by("-version"):
        retired.setdefault(old.first_version_id or old.id, []).append(old)
    custom_field_measures_sync()
    for scorecard, spread in scorecards_with_spread():
        total = sum(spread.values())
        rows.append(
            {
                "scorecard": scorecard,
                "measures": [
                    (measure_label(m.measure_key, sync=False), m.weight)
                    for m in sorted(scorecard.measures.all(), key=lambda m: (-m.weight, m.measure_key))
                ],
                "spread": {b: spread.get(b, 0) for b in ("red", "yellow", "green")},
                "pct": {b: round(100 * spread.get(b, 0) / total) if total else 0 for b in ("red", "yellow", "green")},
                "total": total,
                "versions": retired.get(scorecard.first_version_id or scorecard.id, []),
            }
        )
    return rows


def scorecard_measures(scorecard: Scorecard) -> dict:
    """{measure key: ScorecardMeasure} of a saved scorecard ({} for a new one)."""
    return {m.measure_key: m for m in scorecard.measures.all()} if scorecard.pk else {}


def scorecard_preview_bands(*, plan: Plan, other_plans: list[Plan]) -> tuple[dict, list[dict]]:
    """scorecard_preview and its bands for display: now, with the edits, the share and the
    change per band ("none" only when some account would have no score)."""
    preview = scorecard_preview(plan=plan, other_plans=other_plans)
    bands = []
    for band in ("red", "yellow", "green", "none"):
        now, then = preview["current"].get(band, 0), preview["preview"].get(band, 0)
        if band == "none" and not then:
            continue
        total = preview["accounts"] or 1
        pct = round(100 * then / total)
        bands.append({"band": band, "current": now, "preview": then, "pct": pct, "delta": then - now})
    return preview, bands


# Section: churn risk


def churn_model_current() -> ChurnModel | None:
    """The trained churn model, if any."""
    return ChurnModel.objects.first()


def churn_risk_of(model: ChurnModel, measures: dict, *, sync: bool = True) -> dict:
    """One snapshot's churn probability and its reasons, labelled."""
    probability, reasons = churn_risk(model, measures)
    if sync:
        custom_field_measures_sync()
    return {
        "probability": probability,
        "reasons": [dict(r, label=measure_label(r["measure"], sync=False)) for r in reasons],
    }


def churn_inputs(model: ChurnModel, snapshots) -> list[dict]:
    """What the model scores for these HealthScore snapshots (account_id, day, measures): their
    measures, with the event rates joined when the model was trained on them (one rollup query
    per day of the snapshots). Every caller of churn_risk / churn_risks goes through here."""
    snapshots = list(snapshots)
    if any(is_rate(f.removesuffix("__log")) for f in model.features):
        return rates_for(snapshots)
    return [s.measures for s in snapshots]


def churn_risks_of(model: ChurnModel, snapshots) -> list[dict]:
    """churn_risk_of for many HealthScore snapshots (a page, one account's latest); the
    custom-field measures synced once for the whole list."""
    custom_field_measures_sync()
    return [churn_risk_of(model, m, sync=False) for m in churn_inputs(model, snapshots)]


def churn_at_risk(model: ChurnModel, *, limit: int = 15, scan: int = 2000) -> list[dict]:
    """The `limit` accounts most likely to churn by the model, among the `scan` lowest scores
    of the latest day: {"snap", "probability", "reasons"} each."""
    day = latest_day()
    snaps = (
        HealthScore.objects.filter(day=day).select_related("account").order_by("score", "account_id")[:scan]
        if day
        else []
    )
    scored = [{"snap": snap, **risk} for snap, risk in zip(snaps, churn_risks_of(model, snaps), strict=True)]
    return sorted(scored, key=lambda r: -r["probability"])[:limit]


def current_scorecards() -> list[Scorecard]:
    """The scorecards in use (not retired versions), the default first, with their measures."""
    return list(Scorecard.objects.current().prefetch_related("measures"))


def suggestion_rows(suggestion: dict) -> list[dict]:
    """The suggestion's measures for display: labelled, the biggest suggested weight first,
    dropped ones last; `bar_now` / `bar_new` are the weights as % of the largest one."""
    custom_field_measures_sync()
    rows = [dict(m, label=measure_label(m["key"], sync=False)) for m in suggestion["measures"]]
    top = max([1] + [r["current_weight"] for r in rows] + [r["suggested_weight"] for r in rows])
    for r in rows:
        r["bar_now"] = round(100 * r["current_weight"] / top)
        r["bar_new"] = round(100 * r["suggested_weight"] / top)
    return sorted(rows, key=lambda r: (r["dropped"], -r["suggested_weight"], -(r["auc"] or 0)))


def default_weight_rows(edited: dict[str, float]) -> list[dict]:
    """The default scorecard's measures with their weight and the weight being tried."""
    default = Scorecard.objects.filter(is_default=True).prefetch_related("measures").first()
    return [
        {
            "key": m.measure_key,
            "label": measure_label(m.measure_key),
            "weight": m.weight,
            "edited": edited.get(m.measure_key),
        }
        for m in (default.measures.all() if default else [])
    ]


# Section: event measures and history


def event_measure_rows() -> list[dict]:
    """The admin's event measures with the scorecards using each (two queries)."""
    from .models import EventMeasure, ScorecardMeasure

    used: dict[str, list[str]] = {}
    for key, name in ScorecardMeasure.objects.filter(measure_key__startswith="event:").values_list(
        "measure_key", "scorecard__name"
    ):
        used.setdefault(key, []).append(name)
    return [{"measure": em, "scorecards": sorted(used.get(em.measure_key, []))} for em in EventMeasure.objects.all()]


def events_seen(limit: int = 12) -> list[tuple[str, int]]:
    """The event names most accounts used over the last 30 days with data (a sample of
    accounts, as the default scorecard's pick), with how many of those accounts used each."""
    from accounts.models import Account
    from usage.models import AccountDailyUsage

    from .recompute.plans import PICK_SAMPLE
    from .sql.activity import RECENT_DAYS, event_names_seen

    last = AccountDailyUsage.objects.order_by("-day").values_list("day", flat=True).first()
    if last is None:
        return []
    ids = list(Account.objects.order_by("id").values_list("id", flat=True)[:PICK_SAMPLE])
    seen = event_names_seen(account_ids=ids, start=last - timedelta(days=RECENT_DAYS - 1), end=last)
    return [(name, accounts) for name, accounts, _events in seen[:limit]]


def history_status(details: dict) -> dict:
    """{"days": n or None, "insufficient": bool} from a snapshot's measures: too little
    history (health.measures_activity.MIN_HISTORY_DAYS) to read the score as healthy."""
    from .measures_activity import MIN_HISTORY_DAYS

    days = (details.get("history_days") or {}).get("value")
    return {"days": None if days is None else int(days), "insufficient": days is not None and days < MIN_HISTORY_DAYS}
