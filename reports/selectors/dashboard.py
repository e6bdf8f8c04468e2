"""Reads for the dashboard: a period's metrics (from the pre-aggregate when it is fresh, else
live and cached), MRR by month, health and renewals, NPS over time, feature adoption, CS ROI."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy

from accounts.models import Account
from core.replica import read_replica
from usage import metrics

from ..models import FeatureUse, HealthBandDaily, MetricCube, RefreshLog
from ..periods import Period, add_months, previous_period
from .base import (
    BANDS,
    CUBE_FIELDS,
    LIVE_CACHE_SECONDS,
    SURVEY_CUBE_FIELDS,
    Filters,
    cached,
    in_cube,
    last_refresh,
    live_usage_ok,
    page_cached,
    survey_from_counts,
)

# Section: period metrics


def _cube_sum(period: Period, filters: Filters) -> dict:
    rows = MetricCube.objects.filter(filters.q(), start=period.start, end=period.end)
    totals = rows.aggregate(**{f: Sum(f) for f in CUBE_FIELDS + SURVEY_CUBE_FIELDS})
    out: dict[str, Any] = {"survey": survey_from_counts(totals)}
    for field in CUBE_FIELDS:
        value = totals[field]
        if field in metrics.MONEY_COMPONENTS:
            out[field] = Decimal(value or 0).quantize(Decimal("0.01"))
        elif field in metrics.FLOAT_COMPONENTS:
            out[field] = float(value or 0)
        else:
            out[field] = int(value or 0)
    w0, w1 = metrics.usage_window(start=period.start, end=period.end)
    out["window_days"] = (w1 - w0).days
    return out


def _live_components(period: Period, filters: Filters, with_usage: bool = True) -> dict:
    def compute():
        accounts = None if filters.is_everyone else filters.accounts()
        comps = metrics.metric_components(start=period.start, end=period.end, accounts=accounts)[0]
        if with_usage:
            comps.update(metrics.usage_components(start=period.start, end=period.end, accounts=accounts)[0])
        else:
            comps.update(dict.fromkeys(metrics.USAGE_FIELDS, 0), window_days=0)
        return comps

    return cached(("components", period.start, period.end, filters.key(), with_usage), compute)


@read_replica
def period_components(
    period: Period, filters: Filters, refresh: RefreshLog | None = None, with_usage: bool = True
) -> tuple[dict, str]:
    """(components, source): source is "pre-aggregate" or "live". Without `with_usage` a live
    computation skips the usage figures (JSON work over the rollups; the API does not return them)."""
    if in_cube(refresh, period.start, period.end):
        return _cube_sum(period, filters), "pre-aggregate"
    return _live_components(period, filters, with_usage), "live"


@read_replica
def survey_for(period: Period, filters: Filters) -> dict:
    """surveys.metrics.survey_scores for the whole book; for a slice the same aggregate
    expressions (surveys.metrics.score_aggregates / scores_from_row) over a join on the
    account's segment / tier / owner, rather than a list of every account id in the slice."""
    from surveys.metrics import as_datetime, score_aggregates, scores_from_row, survey_scores
    from surveys.models import SurveyResponse

    def compute():
        if filters.is_everyone:
            return survey_scores(start=period.start, end=period.end)
        row = (
            SurveyResponse.objects.submitted_between(as_datetime(period.start), as_datetime(period.end))
            .filter(filters.q("account__"))
            .aggregate(**score_aggregates())
        )
        return scores_from_row(row)

    return cached(("survey", period.start, period.end, filters.key()), compute, LIVE_CACHE_SECONDS)


@read_replica
def period_metrics(
    period: Period, filters: Filters, refresh: RefreshLog | None = None, with_usage: bool = True
) -> dict:
    """{"metrics": DESIGN.md's keys exactly, "usage": DAU/WAU/MAU..., "components", "survey",
    "source": "pre-aggregate" | "live"}."""
    comps, source = period_components(period, filters, refresh, with_usage)
    costs = None
    if filters.is_everyone:
        costs = cached(
            ("costs", period.start, period.end),
            lambda: metrics.cost_totals(start=period.start, end=period.end),
            LIVE_CACHE_SECONDS,
        )
    survey = comps["survey"] if source == "pre-aggregate" else survey_for(period, filters)
    result = metrics.metrics_from_components(comps, start=period.start, end=period.end, costs=costs, survey=survey)
    usage = metrics.usage_from_components(comps, accounts_active_end=comps["accounts_active_end"])
    return {
        "metrics": result,
        "usage": usage,
        "components": comps,
        "survey": survey,
        "source": source,
    }


@read_replica
def mrr_months(filters: Filters, today: date, refresh: RefreshLog | None = None) -> list[tuple[date, Decimal]]:
    """MRR on the first of each of the last 12 months and today (from the monthly cube rows when fresh)."""
    month = today.replace(day=1)
    firsts = [add_months(month, -i) for i in range(12, -1, -1)]  # 13 firsts: 12 months ago .. this month
    days = firsts + ([today] if today != month else [])
    periods = list(zip(days[:-1], days[1:], strict=True))
    if all(in_cube(refresh, s, e) for s, e in periods):
        in_period = Q(*[Q(start=s, end=e) for s, e in periods], _connector=Q.OR)
        rows = (
            MetricCube.objects.filter(in_period, filters.q())
            .order_by()
            .values("start", "end")
            .annotate(mrr_start=Sum("mrr_start"), mrr_end=Sum("mrr_end"))
        )
        found: dict[tuple[date, date], dict[str, Any]] = {(r["start"], r["end"]): cast(dict, r) for r in rows}
        values = [found.get(p, {}).get("mrr_start") or 0 for p in periods]
        values.append(found.get(periods[-1], {}).get("mrr_end") or 0)
        return [(d, Decimal(v).quantize(Decimal("0.01"))) for d, v in zip(days, values, strict=True)]
    accounts = None if filters.is_everyone else filters.accounts()
    return cached(
        ("mrr_months", today, filters.key()),
        lambda: list(metrics.mrr_by_days(days=days, accounts=accounts).items()),
    )


# Section: health and renewals (live, on Account's denormalised, indexed columns)


def _per_band(rows) -> list[dict]:
    """Accounts and MRR per band, every band listed (0 where none), "Not scored" last."""
    by_band = {r["health_band"] or "": r for r in rows}
    return [
        {
            "band": band or "none",
            "label": label,
            "accounts": by_band.get(band, {}).get("accounts", 0),
            "mrr": by_band.get(band, {}).get("mrr") or Decimal(0),
        }
        for band, label in [*[(b.value, b.label) for b in BANDS], ("", gettext_lazy("Not scored"))]
    ]


@read_replica
def health_distribution(filters: Filters) -> list[dict]:
    rows = (
        Account.objects.filter(filters.q(), mrr__gt=0)
        .order_by()
        .values("health_band")
        .annotate(accounts=Count("id"), mrr=Sum("mrr_base"))
    )
    return _per_band(rows)


@read_replica
def health_trend(filters: Filters) -> list[dict]:
    """Accounts per band on each weekly day of the pre-aggregated window: [{"day", "red", "yellow", "green"}]."""
    rows = (
        HealthBandDaily.objects.filter(filters.q())
        .order_by()
        .values("day", "band")
        .annotate(n=Sum("accounts"))
        .order_by("day")
    )
    by_day: dict[date, dict] = {}
    for r in rows:
        by_day.setdefault(r["day"], {"day": r["day"], **{b.value: 0 for b in BANDS}})[r["band"]] = r["n"]
    return list(by_day.values())


@read_replica
def renewals_forecast(filters: Filters, today: date, days: int = 90) -> list[dict]:
    """Paying accounts renewing in [today, today + days), per health band: accounts and MRR up for renewal."""
    rows = (
        Account.objects.filter(
            filters.q(), mrr__gt=0, renewal_date__gte=today, renewal_date__lt=today + timedelta(days=days)
        )
        .order_by()
        .values("health_band")
        .annotate(accounts=Count("id"), mrr=Sum("mrr_base"))
    )
    return _per_band(rows)


# Section: surveys over time (composed from surveys.metrics' aggregate expressions)


@read_replica
def nps_trend(filters: Filters, today: date, months: int = 12, refresh: RefreshLog | None = None) -> list[dict]:
    """NPS of each of the last `months` calendar months (this one up to yesterday: answers
    submitted before today), from the monthly pre-aggregate periods when fresh."""
    from surveys.metrics import as_datetime, score_aggregates, scores_from_row
    from surveys.models import SurveyResponse

    month = today.replace(day=1)
    first = add_months(month, -(months - 1))
    periods = [(add_months(first, i), min(add_months(first, i + 1), today)) for i in range(months)]
    periods = [(s, e) for s, e in periods if s < e]
    if periods and all(in_cube(refresh, s, e) for s, e in periods):
        rows = (
            MetricCube.objects.filter(Q(*[Q(start=s, end=e) for s, e in periods], _connector=Q.OR), filters.q())
            .order_by()
            .values("start")
            .annotate(**{f: Sum(f) for f in SURVEY_CUBE_FIELDS})
        )
        by_start = {r["start"]: survey_from_counts(cast(dict, r)) for r in rows}
        empty = survey_from_counts({})
        return [{"month": add_months(first, i), **by_start.get(add_months(first, i), empty)} for i in range(months)]

    def compute():
        rows = (
            SurveyResponse.objects.filter(filters.q("account__"))
            .submitted_between(as_datetime(first), as_datetime(today))
            .annotate(month=TruncMonth("submitted_at"))
            .order_by()
            .values("month")
            .annotate(**score_aggregates())
        )
        by_month = {r["month"].date() if hasattr(r["month"], "date") else r["month"]: scores_from_row(r) for r in rows}
        return [
            {"month": add_months(first, i), **by_month.get(add_months(first, i), survey_from_counts({}))}
            for i in range(months)
        ]

    return cached(("nps_trend", today, filters.key()), compute, LIVE_CACHE_SECONDS)


# Section: feature adoption and CS ROI


@read_replica
def feature_adoption(period: Period, filters: Filters, comps: dict, refresh: RefreshLog | None = None) -> list[dict]:
    """Per feature: paying accounts (on `end`) that used it in the period / paying accounts."""
    if in_cube(refresh, period.start, period.end):
        rows = (
            FeatureUse.objects.filter(filters.q(), start=period.start, end=period.end)
            .order_by()
            .values("feature")
            .annotate(n=Sum("accounts"))
        )
        counts = {r["feature"]: int(r["n"]) for r in rows}
    else:
        accounts = None if filters.is_everyone else filters.accounts()
        counts = cached(
            ("features", period.start, period.end, filters.key()),
            lambda: {
                r["feature"]: r["accounts"]
                for r in metrics.feature_use_counts(start=period.start, end=period.end, accounts=accounts)
            },
        )
    return metrics.adoption_from_counts(counts, accounts_active_end=comps["accounts_active_end"])


@read_replica
def cs_roi(period: Period, comps: dict) -> dict:
    """usage.metrics.cs_roi for the whole book, on components already at hand."""
    return cached(
        ("cs_roi", period.start, period.end),
        lambda: metrics.cs_roi(start=period.start, end=period.end, components=comps),
        LIVE_CACHE_SECONDS,
    )


# Section: the dashboard's figures, together


def dashboard_figures(period: Period, filters: Filters, today: date, renewal_days: int, *, fresh: bool = False) -> dict:
    """Every figure of the dashboard for a slice and period (no text: the page translates its
    labels and builds its charts per request), cached for a minute per slice, period and
    pre-aggregate refresh (`page_cached`): it is the same for every user who opens it.
    `refresh` is the RefreshLog the figures were read from. `fresh`: computed now and stored for the
    next reader (a CSV export is a record someone takes away: it reflects the data as it is)."""
    refresh = last_refresh()
    version = (refresh.pk, refresh.finished_at.timestamp()) if refresh is not None and refresh.finished_at else None

    def compute() -> dict:
        # Usage and feature adoption need JSON work over every rollup row: the pre-aggregate has
        # them for the preset periods; live they are computed only for a small book.
        with_usage = in_cube(refresh, period.start, period.end) or live_usage_ok()
        result = period_metrics(period, filters, refresh, with_usage=with_usage)
        prev = period_metrics(previous_period(period), filters, refresh, with_usage=False)
        return {
            "refresh": refresh,
            "with_usage": with_usage,
            "result": result,
            "prev": prev,
            "series": mrr_months(filters, today, refresh),
            "distribution": health_distribution(filters),
            "trend": health_trend(filters),
            "renewals": renewals_forecast(filters, today, renewal_days),
            "nps": nps_trend(filters, today, refresh=refresh),
            "features": feature_adoption(period, filters, result["components"], refresh) if with_usage else None,
            "roi": cs_roi(period, result["components"]) if filters.is_everyone else None,
        }

    parts = ("dashboard", filters.key(), period.start, period.end, today, renewal_days, version)
    return page_cached(parts, compute, fresh=fresh)
