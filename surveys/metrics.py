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

__all__ = ["as_datetime", "score_aggregates", "scores_from_row", "survey_scores"]


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
