"""Reads for the cohorts page: the cohort heatmap and time to first value per cohort month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Sum

from core.replica import read_replica
from usage import metrics

from ..models import CohortCell, CohortTTFV
from .base import Filters, cached, cube_is_fresh, last_refresh


@read_replica
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


@read_replica
def cohort_ttfv(filters: Filters, today: date, months: int = 12) -> dict[date, dict]:
    """TTFV per cohort month for a slice: {"accounts", "reached", "median_days"} from
    onboarding.metrics.ttfv (pre-aggregated as histograms when fresh, else live and cached)."""
    from ..services import ttfv_histograms

    refresh = last_refresh()
    if refresh is not None and cube_is_fresh(refresh) and refresh.as_of == today:
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
