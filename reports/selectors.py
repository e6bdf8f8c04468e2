"""Reads for the dashboards and the metrics API. `reports` composes the floors below and never
re-implements a metric: revenue / support / usage from usage.metrics (through the
pre-aggregate when it is fresh, else live), survey scores from surveys.metrics, TTFV from
onboarding.metrics, health from Account.health_band and the health snapshots (pre-aggregated).

Live results are cached per (what, slice, period, day, data version) in the Django cache; the
data version moves whenever subscriptions, tickets or survey answers change (reports/freshness.py), so a
cached figure always matches the data."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from accounts.choices import HealthBand
from accounts.models import Account
from usage import metrics

from .freshness import data_changed_at
from .models import CohortCell, CohortTTFV, ExpansionSignal, FeatureUse, HealthBandDaily, MetricCube, RefreshLog
from .periods import Period, add_months, previous_period

CACHE_SECONDS = 24 * 3600
LIVE_CACHE_SECONDS = 60
BANDS = [HealthBand.RED, HealthBand.YELLOW, HealthBand.GREEN]


@dataclass(frozen=True)
class Filters:
    """A slice: segment, tier, CSM (account owner). Empty = everyone."""

    segment: str = ""
    tier: str = ""
    owner_id: int | None = None

    @property
    def is_everyone(self) -> bool:
        return not (self.segment or self.tier or self.owner_id)

    def accounts(self) -> QuerySet:
        return metrics.account_slice(segment=self.segment or None, tier=self.tier or None, owner_id=self.owner_id)

    def q(self, prefix: str = "") -> Q:
        q = Q()
        if self.segment:
            q &= Q(**{f"{prefix}segment": self.segment})
        if self.tier:
            q &= Q(**{f"{prefix}tier": self.tier})
        if self.owner_id:
            q &= Q(**{f"{prefix}owner_id": self.owner_id})
        return q

    def key(self) -> str:
        return f"{self.segment}|{self.tier}|{self.owner_id or ''}"


def _cache_key(*parts) -> str:
    raw = "|".join(str(p) for p in parts)
    return "reports:" + hashlib.sha1(raw.encode()).hexdigest()  # noqa: S324 - a cache key, not security


def cached(parts: tuple, compute, timeout: int = CACHE_SECONDS):
    """`compute()` cached under `parts` + the data version."""
    key = _cache_key(*parts, data_changed_at())
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value


# Section: freshness of the pre-aggregate

LIVE_USAGE_MAX_ACCOUNTS = 20_000


def live_usage_ok() -> bool:
    """Usage figures (JSON work over every rollup row) are computed live only for a small book;
    a large one reads them from the pre-aggregate."""
    count = cache.get("reports:account-count")
    if count is None:
        count = Account.objects.count()
        cache.set("reports:account-count", count, 600)
    return count <= LIVE_USAGE_MAX_ACCOUNTS


def last_refresh() -> RefreshLog | None:
    return RefreshLog.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()


def cube_is_fresh(refresh: RefreshLog | None) -> bool:
    return refresh is not None and refresh.finished_at.timestamp() >= data_changed_at()


def in_cube(refresh: RefreshLog | None, start: date, end: date) -> bool:
    """Is [start, end) pre-aggregated (by the latest refresh, which must be fresh)?"""
    if not cube_is_fresh(refresh):
        return False
    return [start.isoformat(), end.isoformat()] in refresh.cube_periods


# Section: period metrics

CUBE_FIELDS = metrics.COMPONENT_FIELDS + metrics.USAGE_FIELDS
SURVEY_CUBE_FIELDS = (
    "nps_responses", "promoters", "detractors", "csat_responses", "csat_satisfied", "ces_responses", "ces_sum"
)  # fmt: skip


def survey_from_counts(row: dict) -> dict:
    """surveys.metrics.scores_from_row over summed pre-aggregated answer counts."""
    from surveys.metrics import scores_from_row

    counts = {f: int(row.get(f) or 0) for f in SURVEY_CUBE_FIELDS if f != "ces_sum"}
    n_ces = counts["ces_responses"]
    counts["ces_mean"] = float(row.get("ces_sum") or 0) / n_ces if n_ces else None
    return scores_from_row(counts)


def _cube_sum(period: Period, filters: Filters) -> dict:
    rows = MetricCube.objects.filter(filters.q(), start=period.start, end=period.end)
    totals = rows.aggregate(**{f: Sum(f) for f in CUBE_FIELDS + SURVEY_CUBE_FIELDS})
    out = {"survey": survey_from_counts(totals)}
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


def period_components(
    period: Period, filters: Filters, refresh: RefreshLog | None = None, with_usage: bool = True
) -> tuple[dict, str]:
    """(components, source): source is "pre-aggregate" or "live". Without `with_usage` a live
    computation skips the usage figures (JSON work over the rollups; the API does not return them)."""
    if in_cube(refresh, period.start, period.end):
        return _cube_sum(period, filters), "pre-aggregate"
    return _live_components(period, filters, with_usage), "live"


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
        found = {(r["start"], r["end"]): r for r in rows}
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
        for band, label in [*[(b.value, b.label) for b in BANDS], ("", "Not scored")]
    ]


def health_distribution(filters: Filters) -> list[dict]:
    rows = (
        Account.objects.filter(filters.q(), mrr__gt=0)
        .order_by()
        .values("health_band")
        .annotate(accounts=Count("id"), mrr=Sum("mrr"))
    )
    return _per_band(rows)


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


def renewals_forecast(filters: Filters, today: date, days: int = 90) -> list[dict]:
    """Paying accounts renewing in [today, today + days), per health band: accounts and MRR up for renewal."""
    rows = (
        Account.objects.filter(
            filters.q(), mrr__gt=0, renewal_date__gte=today, renewal_date__lt=today + timedelta(days=days)
        )
        .order_by()
        .values("health_band")
        .annotate(accounts=Count("id"), mrr=Sum("mrr"))
    )
    return _per_band(rows)


# Section: surveys over time (composed from surveys.metrics' aggregate expressions)


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
        by_start = {r["start"]: survey_from_counts(r) for r in rows}
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


def _grouped_survey(period: Period, field: str) -> dict:
    from surveys.metrics import as_datetime, score_aggregates, scores_from_row
    from surveys.models import SurveyResponse

    rows = (
        SurveyResponse.objects.submitted_between(as_datetime(period.start), as_datetime(period.end))
        .order_by()
        .values(key=F(f"account__{field}"))
        .annotate(**score_aggregates())
    )
    return {r["key"]: scores_from_row(r) for r in rows}


# Section: scorecards


def _grouped_cube(period: Period, field: str) -> dict:
    rows = (
        MetricCube.objects.filter(start=period.start, end=period.end)
        .order_by()
        .values(field)
        .annotate(**{f: Sum(f) for f in CUBE_FIELDS + SURVEY_CUBE_FIELDS})
    )
    out = {}
    for r in rows:
        key = r[field]
        if field == "segment" and key == "":
            key = None  # answers without an account are stored with an empty segment
        r["survey"] = survey_from_counts(r)
        out[key] = r
    return out


def _grouped_live(period: Period, field: str) -> dict:
    def compute():
        out: dict = defaultdict(lambda: dict.fromkeys(CUBE_FIELDS, 0))
        for row in metrics.metric_components(start=period.start, end=period.end, group_by=(field,)):
            out[row[field]].update({k: row[k] for k in metrics.COMPONENT_FIELDS})
        for row in metrics.usage_components(start=period.start, end=period.end, group_by=(field,)):
            out[row[field]].update({k: row[k] for k in metrics.USAGE_FIELDS})
        return dict(out)

    return cached(("grouped", period.start, period.end, field), compute)


def _normalise(row: dict, period: Period) -> dict:
    comps = {}
    for field in CUBE_FIELDS:
        value = row.get(field) or 0
        if field in metrics.MONEY_COMPONENTS:
            comps[field] = Decimal(value).quantize(Decimal("0.01"))
        elif field in metrics.FLOAT_COMPONENTS:
            comps[field] = float(value)
        else:
            comps[field] = int(value)
    w0, w1 = metrics.usage_window(start=period.start, end=period.end)
    comps["window_days"] = (w1 - w0).days
    return comps


def scorecard_rows(*, period: Period, field: str, refresh: RefreshLog | None = None) -> list[dict]:
    """One row per CSM (field "owner_id") or segment: this period and the one before, each with
    nrr, grr, logo churn, renewal rate, NPS, DAU/MAU stickiness and features per active account."""
    prev = previous_period(period)
    out: dict = {}
    for which, p in (("now", period), ("prev", prev)):
        if in_cube(refresh, p.start, p.end):
            grouped = _grouped_cube(p, field)
            surveys = {k: v["survey"] for k, v in grouped.items() if v["survey"]["nps_responses"]
                       or v["survey"]["csat_responses"] or v["survey"]["ces_responses"]}  # fmt: skip
        else:
            grouped = _grouped_live(p, field)
            surveys = cached(
                ("grouped_survey", p.start, p.end, field), lambda p=p: _grouped_survey(p, field), LIVE_CACHE_SECONDS
            )
        keys = set(grouped) | set(surveys)
        for key in keys:
            comps = _normalise(grouped.get(key, {}), p)
            m = metrics.metrics_from_components(comps, start=p.start, end=p.end, survey=surveys.get(key))
            u = metrics.usage_from_components(comps, accounts_active_end=comps["accounts_active_end"])
            out.setdefault(key, {})[which] = {**m, **u, "accounts": comps["accounts_active_end"]}
    return [{"key": key, **values} for key, values in out.items()]


# Section: cohorts


def cohort_rows(filters: Filters, today: date, months: int = 12) -> tuple[list[dict], str]:
    """The cohort heatmap (usage.metrics.cohort_table) from the pre-aggregate when it covers
    today and is fresh, else live."""
    refresh = last_refresh()
    if cube_is_fresh(refresh) and CohortCell.objects.filter(as_of=today, months=months).exists():
        rows = (
            CohortCell.objects.filter(filters.q(), as_of=today, months=months)
            .order_by()
            .values("cohort", "day")
            .annotate(size=Sum("size"), active=Sum("active"), mrr=Sum("mrr"))
        )
        cells = [{**r, "mrr": Decimal(r["mrr"] or 0)} for r in rows]
        return metrics.cohort_table(cells, months=months, today=today), "pre-aggregate"
    accounts = None if filters.is_everyone else filters.accounts()
    cells = cached(
        ("cohorts", today, months, filters.key()),
        lambda: metrics.cohort_cells(months=months, today=today, accounts=accounts),
    )
    return metrics.cohort_table(cells, months=months, today=today), "live"


def histogram_median(hist: dict) -> float | None:
    """The median of the values a {value: count} histogram describes (the mean of the two
    middle values for an even count, as statistics.median)."""
    items = sorted((int(k), n) for k, n in hist.items() if n)
    total = sum(n for _, n in items)
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]
    found, seen = [], 0
    for value, n in items:
        while wanted and wanted[0] < seen + n:
            found.append(value)
            wanted.pop(0)
        seen += n
    return float(sum(found)) / len(found)


def cohort_ttfv(filters: Filters, today: date, months: int = 12) -> dict[date, dict]:
    """TTFV per cohort month for a slice: {"accounts", "reached", "median_days"} from
    onboarding.metrics.ttfv (pre-aggregated as histograms when fresh, else live and cached)."""
    from .services import ttfv_histograms

    refresh = last_refresh()
    if cube_is_fresh(refresh) and refresh.as_of == today:
        rows = (
            CohortTTFV.objects.filter(filters.q(), as_of=today)
            .order_by()
            .values_list("cohort", "accounts", "reached", "days_histogram")
        )
        cells = [((cohort, None), {"accounts": n, "reached": r, "hist": hist}) for cohort, n, r, hist in rows]
    else:
        ids = None if filters.is_everyone else list(filters.accounts().values_list("id", flat=True))
        cells = list(
            cached(
                ("ttfv", today, months, filters.key()),
                lambda: ttfv_histograms(as_of=today, months=months, account_ids=ids),
            ).items()
        )
    merged: dict[date, dict] = {}
    for (cohort, *_group), cell in cells:
        target = merged.setdefault(cohort, {"accounts": 0, "reached": 0, "hist": {}})
        target["accounts"] += cell["accounts"]
        target["reached"] += cell["reached"]
        for days, n in cell["hist"].items():
            target["hist"][days] = target["hist"].get(days, 0) + n
    return {
        cohort: {"accounts": v["accounts"], "reached": v["reached"], "median_days": histogram_median(v["hist"])}
        for cohort, v in merged.items()
    }


# Section: feature adoption and CS ROI


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


def cs_roi(period: Period, comps: dict) -> dict:
    """usage.metrics.cs_roi for the whole book, on components already at hand."""
    return cached(
        ("cs_roi", period.start, period.end),
        lambda: metrics.cs_roi(start=period.start, end=period.end, components=comps),
        LIVE_CACHE_SECONDS,
    )


def expansion_signals_for(*, owner_id: int, today: date, limit: int = 8) -> tuple[list[dict], str]:
    """The owner's accounts near their plan limits: from the nightly pre-aggregate when it was
    built today (usage is daily data), else live for their accounts and cached."""
    refresh = last_refresh()
    if refresh is not None and refresh.as_of == today:
        rows = ExpansionSignal.objects.filter(owner_id=owner_id, as_of=today).order_by("-ratio", "account_name", "what")
        return [
            {"account_id": r.account_id, "account_name": r.account_name, "owner_id": r.owner_id, "what": r.what,
             "used": r.used, "limit": r.limit, "ratio": r.ratio}
            for r in rows[:limit]
        ], "pre-aggregate"  # fmt: skip
    signals = cached(
        ("signals", today, owner_id, limit),
        lambda: metrics.expansion_signals(as_of=today, accounts=metrics.account_slice(owner_id=owner_id), limit=limit),
    )
    return signals, "live"
