"""Health measures "nps" and "csat", registered in SurveysConfig.ready() (health.registry).
Set-based: one grouped query for any number of accounts."""

from collections.abc import Iterable
from datetime import date, timedelta

from django.db.models import Count, Q

from health.registry import Measure, register_measure

from .metrics import as_datetime
from .models import SurveyResponse

WINDOW_DAYS = 365


def _window(as_of: date, account_ids: Iterable[int] | None, kind: str):
    end = as_datetime(as_of + timedelta(days=1))
    qs = SurveyResponse.objects.filter(
        kind=kind, submitted_at__gte=end - timedelta(days=WINDOW_DAYS), submitted_at__lt=end
    )
    if account_ids is not None:
        qs = qs.filter(account_id__in=list(account_ids))
    return qs.exclude(account_id=None).values("account_id")


def nps_by_account(as_of: date, account_ids: Iterable[int] | None = None) -> dict[int, float | None]:
    """Each account's NPS (-100..100) over the NPS answers of the 365 days ending `as_of`."""
    rows = _window(as_of, account_ids, "nps").annotate(
        n=Count("id"), pro=Count("id", filter=Q(score__gte=9)), det=Count("id", filter=Q(score__lte=6))
    )
    return {r["account_id"]: round(100.0 * (r["pro"] - r["det"]) / r["n"], 1) for r in rows if r["n"]}


def csat_by_account(as_of: date, account_ids: Iterable[int] | None = None) -> dict[int, float | None]:
    """Each account's CSAT (share of 4-5 answers, 0..1) over the 365 days ending `as_of`."""
    rows = _window(as_of, account_ids, "csat").annotate(n=Count("id"), ok=Count("id", filter=Q(score__gte=4)))
    return {r["account_id"]: round(r["ok"] / r["n"], 4) for r in rows if r["n"]}


def register() -> None:
    register_measure(
        Measure(
            key="nps",
            label="NPS",
            compute=nps_by_account,
            unit="NPS",
            description="Net Promoter Score of the account's answers over the last 12 months (-100 to 100).",
            default_points=((-100.0, 0.0), (0.0, 50.0), (50.0, 100.0)),
        )
    )
    register_measure(
        Measure(
            key="csat",
            label="CSAT",
            compute=csat_by_account,
            unit="share",
            description="Share of the account's CSAT answers that are 4 or 5, over the last 12 months.",
            default_points=((0.4, 0.0), (0.7, 50.0), (0.9, 100.0)),
        )
    )
