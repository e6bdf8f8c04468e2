"""The renewal forecast: for renewal opportunities closing in a window, in the base currency,

- up for renewal: their ARR (every renewal of a term ending in the window, open or closed);
- committed: won ARR + the CSM's call (else the amount) of open ones in the commit category;
- best case: committed + the call of open ones in the best-case category;
- expected: won ARR + Σ open ARR × P(renew) (the sweep's estimate: churn model where trained,
  else the band's historical rate; the stage's probability where the sweep has none yet).

One grouped query per request (owner × currency × month × status × category), converted and
summed here; per CSM, per team (the owner's manager) and per quarter come from the same rows.
The track record of past quarters is read from `ForecastAccuracy` (rebuilt nightly).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, FloatField, Sum, Value
from django.db.models.functions import Cast, Coalesce, TruncMonth

from core.models import User
from health.selectors import churn_model_current

from ..choices import ForecastCategory, OpportunityKind, StageKind
from ..models import ForecastAccuracy, Opportunity
from ..money import Converter, base_currency
from ..quarters import quarter_add, quarter_label, quarter_start

FIGURES = ("up_for_renewal_arr", "expected_arr", "committed_arr", "best_case_arr", "won_arr", "lost_arr", "open_arr")


@dataclass(frozen=True)
class ForecastFilters:
    csm: int | None = None
    team: int | None = None
    segment: str = ""
    tier: str = ""

    def apply(self, qs):
        if self.csm:
            qs = qs.filter(owner_id=self.csm)
        if self.team:
            qs = qs.filter(owner__manager_id=self.team)
        if self.segment:
            qs = qs.filter(account__segment=self.segment)
        if self.tier:
            qs = qs.filter(account__tier=self.tier)
        return qs


def _empty() -> dict:
    return dict.fromkeys(FIGURES, Decimal(0)) | {"opportunities": 0}


def _grouped(*, start: date, end: date, filters: ForecastFilters):
    qs = Opportunity.objects.filter(kind=OpportunityKind.RENEWAL, close_date__gte=start, close_date__lt=end)
    qs = filters.apply(qs)
    probability = Coalesce(
        F("renew_probability"), Cast(F("stage__probability"), FloatField()) / Value(100.0), output_field=FloatField()
    )
    return (
        qs.order_by()
        .values("owner_id", "currency", "status", "category", month=TruncMonth("close_date"))
        .annotate(
            n=Count("id"),
            arr=Sum("amount"),
            weighted=Sum(Cast("amount", FloatField()) * probability, output_field=FloatField()),
            call=Sum(Coalesce("call_amount", "amount")),
        )
    )


def _add(bucket: dict, row: dict, converter: Converter) -> None:
    month = row["month"]
    month = month.date() if hasattr(month, "date") and callable(month.date) else month
    arr = converter.to_base(row["arr"], row["currency"], month)
    bucket["up_for_renewal_arr"] += arr
    bucket["opportunities"] += row["n"]
    if row["status"] == StageKind.WON:
        bucket["won_arr"] += arr
        bucket["expected_arr"] += arr
        bucket["committed_arr"] += arr
        bucket["best_case_arr"] += arr
    elif row["status"] == StageKind.LOST:
        bucket["lost_arr"] += arr
    else:
        bucket["open_arr"] += arr
        bucket["expected_arr"] += converter.to_base(Decimal(str(row["weighted"] or 0)), row["currency"], month)
        call = converter.to_base(row["call"], row["currency"], month)
        if row["category"] == ForecastCategory.COMMIT:
            bucket["committed_arr"] += call
            bucket["best_case_arr"] += call
        elif row["category"] == ForecastCategory.BEST_CASE:
            bucket["best_case_arr"] += call


def _rounded(bucket: dict) -> dict:
    return {k: (v.quantize(Decimal("1")) if isinstance(v, Decimal) else v) for k, v in bucket.items()}


def _names(ids) -> dict[int, User]:
    return {u.pk: u for u in User.objects.filter(pk__in=[i for i in ids if i])}


def _month(row: dict) -> date:
    month = row["month"]
    return month.date() if hasattr(month, "hour") else month


def forecast_summary(
    *, start: date, end: date, filters: ForecastFilters | None = None, rows: list[dict] | None = None
) -> dict:
    """The forecast of renewals closing in [start, end): totals, per CSM, per team, per
    category and per month, all in the base currency, and any missing exchange rate. `rows`:
    the grouped rows of a wider window already read (the page reads once for everything)."""
    filters = filters or ForecastFilters()
    if rows is None:
        rows = list(_grouped(start=start, end=end, filters=filters))
    converter = Converter().preload(_month(r) for r in rows)
    total = _empty()
    by_owner: dict[int | None, dict] = defaultdict(_empty)
    by_category: dict[str, dict] = defaultdict(_empty)
    by_month: dict[str, dict] = defaultdict(_empty)
    for row in rows:
        month = _month(row)
        if not start.replace(day=1) <= month < end:
            continue
        _add(total, row, converter)
        _add(by_owner[row["owner_id"]], row, converter)
        _add(by_category[row["category"]], row, converter)
        _add(by_month[month.isoformat()[:7]], row, converter)
    users = _names(by_owner)
    by_team: dict = defaultdict(_empty)
    for owner_id, bucket in by_owner.items():
        manager_id = users[owner_id].manager_id if owner_id in users else None
        team = by_team[manager_id]
        for key, value in bucket.items():
            team[key] += value
    missing_users = set(by_team) - set(users) - {None}
    if missing_users:
        users.update(_names(missing_users))

    def who(pk):
        user = users.get(pk)
        return {"id": pk, "name": (user.get_full_name() or user.username) if user else None}

    return {
        "start": start,
        "end": end,
        "currency": base_currency(),
        **_rounded(total),
        "probability_source": "churn_model" if churn_model_current() is not None else "band_rates",
        "missing_rates": converter.missing_list(),
        "by_csm": sorted(
            ({"csm": who(pk), **_rounded(b)} for pk, b in by_owner.items()), key=lambda r: -r["up_for_renewal_arr"]
        ),
        "by_team": sorted(
            ({"manager": who(pk), **_rounded(b)} for pk, b in by_team.items()), key=lambda r: -r["up_for_renewal_arr"]
        ),
        "by_category": [
            {"category": c, "label": str(ForecastCategory(c).label), **_rounded(by_category[c])}
            for c in ForecastCategory.values
            if c in by_category
        ],
        "by_month": [{"month": m, **_rounded(b)} for m, b in sorted(by_month.items())],
    }


def forecast_quarters(
    *, first: date, count: int = 4, filters: ForecastFilters | None = None, rows: list[dict] | None = None
) -> list[dict]:
    """Per calendar quarter from `first`: the same figures (one grouped query for all)."""
    filters = filters or ForecastFilters()
    first = quarter_start(first)
    if rows is None:
        rows = forecast_rows(first=first, count=count, filters=filters)
    converter = Converter().preload(_month(r) for r in rows)
    buckets = {quarter_add(first, k): _empty() for k in range(count)}
    for row in rows:
        bucket = buckets.get(quarter_start(_month(row)))
        if bucket is not None:
            _add(bucket, row, converter)
    return [{"quarter": q, "label": quarter_label(q), **_rounded(b)} for q, b in buckets.items()]


def forecast_rows(*, first: date, count: int, filters: ForecastFilters) -> list[dict]:
    """The grouped rows of `count` quarters from `first`: what the page's chart and the chosen
    quarter's figures are both summed from (one query)."""
    first = quarter_start(first)
    return list(_grouped(start=first, end=quarter_add(first, count), filters=filters))


def forecast_accuracy() -> list[dict]:
    """The past quarters' track record: expected at the quarter's start against what renewed,
    error in %, beside the naive "renews at last year's rate"."""
    return [
        {
            "quarter": row.quarter_start,
            "label": quarter_label(row.quarter_start),
            "up_for_renewal_arr": row.up_for_renewal,
            "expected_arr": row.expected,
            "naive_arr": row.naive,
            "actual_arr": row.actual,
            "expected_error_pct": None if row.expected_error is None else round(row.expected_error, 1),
            "naive_error_pct": None if row.naive_error is None else round(row.naive_error, 1),
            "terms": row.terms,
            "currency": row.currency,
            "missing_rates": row.missing_rates,
        }
        for row in ForecastAccuracy.objects.all()
    ]
