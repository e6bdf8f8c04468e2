"""Survey scores (DESIGN.md metric definitions), computed where the data lives. reports composes
them. Period = [start, end) on `submitted_at`; a metric with no answers is None, never 0.

- nps: % promoters (9-10) - % detractors (0-6) over NPS answers, -100..100
- csat: share of CSAT answers (1-5) that are 4 or 5, a fraction
- ces: mean CES answer (1-7)
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time

from django.db.models import Avg, Count, Q, QuerySet

from .models import SurveyResponse

__all__ = [
    "as_datetime",
    "distribution_from_counts",
    "response_rate",
    "score_aggregates",
    "score_distribution",
    "scores_from_counts",
    "scores_from_row",
    "survey_scores",
    "survey_scores_grouped",
]


def as_datetime(value: date | datetime) -> datetime:
    """Dates are UTC days: a date means its midnight UTC."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time.min, tzinfo=UTC)


def score_aggregates() -> dict:
    """Aggregate expressions shared by survey_scores and the grouped report queries."""
    nps, csat, ces = Q(kind="nps"), Q(kind="csat"), Q(kind="ces")
    return {
        "nps_responses": Count("id", filter=nps),
        "promoters": Count("id", filter=nps & Q(score__gte=9)),
        "detractors": Count("id", filter=nps & Q(score__lte=6)),
        "csat_responses": Count("id", filter=csat),
        "csat_satisfied": Count("id", filter=csat & Q(score__gte=4)),
        "ces_responses": Count("id", filter=ces),
        "ces_mean": Avg("score", filter=ces),
    }


def scores_from_row(row: dict) -> dict:
    n_nps, n_csat, n_ces = row["nps_responses"] or 0, row["csat_responses"] or 0, row["ces_responses"] or 0
    return {
        "nps": round(100.0 * (row["promoters"] - row["detractors"]) / n_nps, 1) if n_nps else None,
        "csat": round(row["csat_satisfied"] / n_csat, 4) if n_csat else None,
        "ces": round(float(row["ces_mean"]), 2) if n_ces and row["ces_mean"] is not None else None,
        "nps_responses": n_nps,
        "promoters": row["promoters"] or 0,
        "detractors": row["detractors"] or 0,
        "csat_responses": n_csat,
        "ces_responses": n_ces,
    }


def _responses(start, end, account_ids: Iterable[int] | None) -> QuerySet:
    qs = SurveyResponse.objects.submitted_between(as_datetime(start), as_datetime(end))
    if account_ids is not None:
        qs = qs.filter(account_id__in=list(account_ids))
    return qs


def survey_scores(*, start: date | datetime, end: date | datetime, account_ids: Iterable[int] | None = None) -> dict:
    """{"nps", "csat", "ces", "nps_responses", "promoters", "detractors", "csat_responses",
    "ces_responses"} over answers submitted in [start, end), optionally for some accounts. One query."""
    row = _responses(start, end, account_ids).aggregate(**score_aggregates())
    return scores_from_row(row)


GROUPS = {
    "month": "month",
    "segment": "account__segment",
    "tier": "account__tier",
    "owner": "account__owner_id",
}


def survey_scores_grouped(
    *, start: date | datetime, end: date | datetime, by: str, account_ids: Iterable[int] | None = None, accounts=None
) -> list[dict]:
    """survey_scores per month (first day), segment, tier or account owner: one grouped query.
    `accounts` (an Account queryset) narrows like `account_ids` but stays a subquery."""
    from django.db.models.functions import TruncMonth

    qs = _responses(start, end, account_ids)
    if accounts is not None:
        qs = qs.filter(account__in=accounts)
    if by == "month":
        qs = qs.annotate(month=TruncMonth("submitted_at"))
    field = GROUPS[by]
    rows = qs.values(field).annotate(**score_aggregates()).order_by(field)
    return [{"key": row[field], **scores_from_row(row)} for row in rows]


def score_distribution(
    *, start: date | datetime, end: date | datetime, kind: str, account_ids: Iterable[int] | None = None, accounts=None
) -> dict[int, int]:
    """Answers per score value, every value of the kind's scale present (0 when none)."""
    from .choices import SCORE_RANGE, SurveyKind

    qs = _responses(start, end, account_ids).filter(kind=kind)
    if accounts is not None:
        qs = qs.filter(account__in=accounts)
    counts = dict(qs.values("score").annotate(n=Count("id")).values_list("score", "n"))
    low, high = SCORE_RANGE[SurveyKind(kind)]
    return {score: counts.get(score, 0) for score in range(low, high + 1)}


def response_rate(
    *, start: date | datetime, end: date | datetime, account_ids: Iterable[int] | None = None, accounts=None
) -> dict:
    """Deliveries (widget shown, email or personal link sent) in [start, end) and how many of
    them got an answer; rate None when nothing was sent."""
    from .models import SurveyDelivery

    qs = SurveyDelivery.objects.filter(sent_at__gte=as_datetime(start), sent_at__lt=as_datetime(end))
    if account_ids is not None:
        qs = qs.filter(account_id__in=list(account_ids))
    if accounts is not None:
        qs = qs.filter(account__in=accounts)
    row = qs.aggregate(sent=Count("id"), answered=Count("id", filter=Q(response__isnull=False)))
    return {**row, "rate": round(row["answered"] / row["sent"], 4) if row["sent"] else None}


def scores_from_counts(counts: dict) -> dict:
    """scores_from_row over the report's pre-aggregated counts (answers per kind and score,
    columns "<kind>_<score>": surveys.models.SCORE_COLUMNS): the same figures, rounded alike."""
    from .models import SCORE_COLUMNS

    nps = {score: counts[name] for kind, score, name in SCORE_COLUMNS if kind == "nps"}
    csat = {score: counts[name] for kind, score, name in SCORE_COLUMNS if kind == "csat"}
    ces = {score: counts[name] for kind, score, name in SCORE_COLUMNS if kind == "ces"}
    n_ces = sum(ces.values())
    return scores_from_row(
        {
            "nps_responses": sum(nps.values()),
            "promoters": sum(n for s, n in nps.items() if s >= 9),
            "detractors": sum(n for s, n in nps.items() if s <= 6),
            "csat_responses": sum(csat.values()),
            "csat_satisfied": sum(n for s, n in csat.items() if s >= 4),
            "ces_responses": n_ces,
            "ces_mean": sum(s * n for s, n in ces.items()) / n_ces if n_ces else None,
        }
    )


def distribution_from_counts(counts: dict, kind: str) -> dict[int, int]:
    """score_distribution over the report's pre-aggregated counts."""
    from .models import SCORE_COLUMNS

    return {score: counts[name] for k, score, name in SCORE_COLUMNS if k == kind}
