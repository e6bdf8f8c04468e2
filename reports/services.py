"""Writes of the reports floor: the pre-aggregates (reports/models.py), refreshed nightly by
Celery beat (reports.tasks.reports_refresh_task) and by `manage.py refresh_reports`.

Each refresh replaces its table's rows in one transaction (readers see the old rows or the new,
never half), calling the exact services in usage.metrics with group_by=(segment, tier,
owner_id): a constant number of set-based queries per period, whatever the number of accounts."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.models import Account
from usage import metrics
from usage.periods import feature_use_counts_periods, usage_components_periods

from .models import CohortCell, CohortTTFV, ExpansionSignal, FeatureUse, HealthBandDaily, MetricCube, RefreshLog
from .periods import add_months, period_presets, previous_period
from .sql import refresh_query_settings

__all__ = [
    "COHORT_MONTHS",
    "HEALTH_TREND_WEEKS",
    "cohort_cells_refresh",
    "cohort_ttfv_refresh",
    "cube_periods",
    "expansion_signals_refresh",
    "health_band_daily_refresh",
    "metric_cube_refresh",
    "reports_refresh",
]

MRR_MONTHS = 12
CUBE_VALUE_FIELDS = set(metrics.COMPONENT_FIELDS) | set(metrics.USAGE_FIELDS) | {
    "nps_responses", "promoters", "detractors", "csat_responses", "csat_satisfied", "ces_responses", "ces_sum"
}  # fmt: skip
COHORT_MONTHS = 12
REFRESH_WORK_MEM = "256MB"
HEALTH_TREND_WEEKS = 12
GROUP = metrics.GROUP_FIELDS


def cube_periods(as_of: date) -> list[tuple[date, date]]:
    """Every period the dashboards ask for on `as_of`: the last 12 calendar months and this
    month to date (the MRR chart and monthly trends), each preset and the period before it."""
    month = as_of.replace(day=1)
    periods = {(add_months(month, -i - 1), add_months(month, -i)) for i in range(MRR_MONTHS)}
    if as_of > month:
        periods.add((month, as_of))
    for period in period_presets(as_of).values():
        periods.add((period.start, period.end))
        prev = previous_period(period)
        periods.add((prev.start, prev.end))
    return sorted(periods)


SURVEY_FIELDS = ("nps_responses", "promoters", "detractors", "csat_responses", "csat_satisfied", "ces_responses")


def survey_counts(start: date, end: date, group_by: tuple[str, ...] = GROUP) -> list[dict]:
    """surveys.metrics.score_aggregates over answers submitted in [start, end), grouped by the
    answering account's fields; the CES mean is turned back into a sum so groups add up."""
    from surveys.metrics import as_datetime, score_aggregates
    from surveys.models import SurveyResponse

    rows = (
        SurveyResponse.objects.submitted_between(as_datetime(start), as_datetime(end))
        .order_by()
        .values(*[f"account__{g}" for g in group_by])
        .annotate(**score_aggregates())
    )
    out = []
    for row in rows:
        item = {g: row[f"account__{g}"] for g in group_by}
        item.update({f: row[f] or 0 for f in SURVEY_FIELDS})
        item["ces_sum"] = float(row["ces_mean"] or 0) * (row["ces_responses"] or 0)
        out.append(item)
    return out


def _cube_rows(start: date, end: date, computed_at, usage: list[dict]) -> list[MetricCube]:
    merged: dict[tuple, dict] = {}
    for row in metrics.metric_components(start=start, end=end, group_by=GROUP):
        merged.setdefault(tuple(row[g] for g in GROUP), {}).update(row)
    for row in usage:
        merged.setdefault(tuple(row[g] for g in GROUP), {}).update(row)
    for row in survey_counts(start, end):
        merged.setdefault(tuple(row[g] for g in GROUP), {}).update(row)
    window_days = metrics.usage_window(start=start, end=end)
    out = []
    for (segment, tier, owner_id), values in merged.items():
        fields = {k: v for k, v in values.items() if k in CUBE_VALUE_FIELDS}
        out.append(
            MetricCube(
                start=start,
                end=end,
                segment=segment or "",
                tier=tier or "",
                owner_id=owner_id,
                window_days=(window_days[1] - window_days[0]).days,
                computed_at=computed_at,
                **fields,
            )
        )
    return out


def metric_cube_refresh(*, as_of: date) -> tuple[list[tuple[date, date]], int]:
    """Rebuild MetricCube for `cube_periods(as_of)`. Returns (periods, rows).

    Usage and feature figures come for every period at once from usage.periods (one
    pass over the rollups instead of one per period: they were ~90% of the refresh); the
    revenue, support and survey components stay one set of small queries per period."""
    periods = cube_periods(as_of)
    now = timezone.now()
    rows: list[MetricCube] = []
    features: list[FeatureUse] = []
    feature_counts = feature_use_counts_periods(periods=periods, group_by=GROUP)
    usage = usage_components_periods(periods=periods, group_by=GROUP, feature_counts=feature_counts)
    for start, end in periods:
        rows += _cube_rows(start, end, now, usage[(start, end)])
        features += [
            FeatureUse(
                start=start,
                end=end,
                segment=row["segment"] or "",
                tier=row["tier"] or "",
                owner_id=row["owner_id"],
                feature=row["feature"][:128],
                accounts=row["accounts"],
            )
            for row in feature_counts[(start, end)]
        ]
    with transaction.atomic():
        MetricCube.objects.all().delete()
        MetricCube.objects.bulk_create(rows, batch_size=2000)
        FeatureUse.objects.all().delete()
        FeatureUse.objects.bulk_create(features, batch_size=2000)
    return periods, len(rows) + len(features)


def cohort_cells_refresh(*, as_of: date, months: int = COHORT_MONTHS) -> int:
    cells = metrics.cohort_cells(months=months, today=as_of, group_by=GROUP)
    rows = [
        CohortCell(
            as_of=as_of,
            months=months,
            cohort=cell["cohort"],
            day=cell["day"],
            segment=cell["segment"] or "",
            tier=cell["tier"] or "",
            owner_id=cell["owner_id"],
            size=cell["size"],
            active=cell["active"],
            mrr=cell["mrr"],
        )
        for cell in cells
    ]
    with transaction.atomic():
        CohortCell.objects.all().delete()
        CohortCell.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def ttfv_histograms(*, as_of: date, months: int = COHORT_MONTHS, account_ids=None) -> dict[tuple, dict]:
    """onboarding.metrics.ttfv for contracts started in the cohort window, folded into
    {(cohort month, segment, tier, owner_id): {"accounts", "reached", "hist": {days: n}}}."""
    from onboarding.metrics import ttfv

    first_month = metrics.month_starts(last=as_of, months=months)[0]
    report = ttfv(account_ids=account_ids, start=first_month, end=as_of + timedelta(days=1))
    ids = [row.account_id for row in report.accounts]
    groups = {
        pk: (segment or "", tier or "", owner_id)
        for pk, segment, tier, owner_id in Account.objects.filter(pk__in=ids).values_list(
            "pk", "segment", "tier", "owner_id"
        )
    } if ids else {}  # fmt: skip
    out: dict[tuple, dict] = {}
    for row in report.accounts:
        key = (row.contract_start.replace(day=1), *groups.get(row.account_id, ("", "", None)))
        cell = out.setdefault(key, {"accounts": 0, "reached": 0, "hist": {}})
        cell["accounts"] += 1
        if row.days is not None:
            cell["reached"] += 1
            cell["hist"][str(row.days)] = cell["hist"].get(str(row.days), 0) + 1
    return out


def cohort_ttfv_refresh(*, as_of: date, months: int = COHORT_MONTHS) -> int:
    rows = [
        CohortTTFV(
            as_of=as_of,
            cohort=cohort,
            segment=segment,
            tier=tier,
            owner_id=owner_id,
            accounts=cell["accounts"],
            reached=cell["reached"],
            days_histogram=cell["hist"],
        )
        for (cohort, segment, tier, owner_id), cell in ttfv_histograms(as_of=as_of, months=months).items()
    ]
    with transaction.atomic():
        CohortTTFV.objects.all().delete()
        CohortTTFV.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def expansion_signals_refresh(*, as_of: date) -> int:
    rows = [
        ExpansionSignal(
            as_of=as_of,
            account_id=row["account_id"],
            owner_id=row["owner_id"],
            account_name=row["account_name"][:255],
            what=row["what"][:128],
            used=row["used"],
            limit=row["limit"],
            ratio=row["ratio"],
        )
        for row in metrics.expansion_signals(as_of=as_of, limit=None)
    ]
    with transaction.atomic():
        ExpansionSignal.objects.all().delete()
        ExpansionSignal.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def health_trend_days(as_of: date, weeks: int = HEALTH_TREND_WEEKS) -> list[date]:
    return [as_of - timedelta(days=7 * k) for k in range(weeks, -1, -1)]


def health_band_daily_refresh(*, as_of: date, weeks: int = HEALTH_TREND_WEEKS) -> int:
    """Accounts per health band on each weekly day of the trend window, from health's daily
    snapshots (health.models.HealthScore), grouped by the account's segment / tier / owner."""
    from health.models import HealthScore

    days = health_trend_days(as_of, weeks)
    grouped = (
        HealthScore.objects.filter(day__in=days)
        .order_by()
        .values("day", "band", "account__segment", "account__tier", "account__owner_id")
        .annotate(n=Count("id"))
    )
    rows = [
        HealthBandDaily(
            day=row["day"],
            band=row["band"],
            segment=row["account__segment"] or "",
            tier=row["account__tier"] or "",
            owner_id=row["account__owner_id"],
            accounts=row["n"],
        )
        for row in grouped
    ]
    with transaction.atomic():
        HealthBandDaily.objects.all().delete()
        HealthBandDaily.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def reports_refresh(*, as_of: date | None = None) -> RefreshLog:
    """Refresh every pre-aggregate for `as_of` (today, UTC, by default) and log it."""
    as_of = as_of or timezone.now().date()
    log = RefreshLog.objects.create(as_of=as_of, started_at=timezone.now())
    with refresh_query_settings(work_mem=REFRESH_WORK_MEM):
        periods, rows = metric_cube_refresh(as_of=as_of)
        rows += cohort_cells_refresh(as_of=as_of)
        rows += cohort_ttfv_refresh(as_of=as_of)
        rows += health_band_daily_refresh(as_of=as_of)
        rows += expansion_signals_refresh(as_of=as_of)
    log.periods = len(periods)
    log.cube_periods = [[start.isoformat(), end.isoformat()] for start, end in periods]
    log.segments = sorted(
        s for s in Account.objects.exclude(segment="").order_by().values_list("segment", flat=True).distinct()
    )
    log.rows = rows
    log.finished_at = timezone.now()
    log.save(update_fields=["periods", "cube_periods", "segments", "rows", "finished_at"])
    RefreshLog.objects.filter(started_at__lt=log.started_at - timedelta(days=30)).delete()
    return log
