"""Health measures "nps" and "csat", registered in SurveysConfig.ready() (health.registry).
Set-based: one grouped query for any number of accounts, shared by both measures within a
recompute run (health.registry.run_cached); a chunk that is a whole id range
(accounts.rollups.AccountRange) is filtered by range, not by a list of thousands of ids."""

from collections.abc import Iterable
from datetime import date, timedelta

from django.db.models import Count, Q

from accounts.rollups import AccountRange, account_filter
from health.registry import Measure, register_measure, run_cached

from .metrics import as_datetime
from .models import SurveyResponse

WINDOW_DAYS = 365


def _ids_key(account_ids) -> tuple | None:
    if account_ids is None:
        return None
    if isinstance(account_ids, AccountRange):
        return ("range", account_ids.lo, account_ids.hi)
    return tuple(account_ids)


def _answers(as_of: date, account_ids: Iterable[int] | None) -> dict[int, dict[str, int]]:
    """Per account, counts over the 365 days ending `as_of`: NPS answers, promoters,
    detractors, CSAT answers and CSAT 4-5s (one query for both measures)."""
    if account_ids is not None and not isinstance(account_ids, (list, AccountRange)):
        account_ids = list(account_ids)

    def compute() -> dict[int, dict[str, int]]:
        end = as_datetime(as_of + timedelta(days=1))
        qs = SurveyResponse.objects.filter(
            kind__in=["nps", "csat"], submitted_at__gte=end - timedelta(days=WINDOW_DAYS), submitted_at__lt=end
        )
        rows = (
            account_filter(qs, account_ids)
            .exclude(account_id=None)
            .values("account_id")
            .annotate(
                nps=Count("id", filter=Q(kind="nps")),
                pro=Count("id", filter=Q(kind="nps", score__gte=9)),
                det=Count("id", filter=Q(kind="nps", score__lte=6)),
                csat=Count("id", filter=Q(kind="csat")),
                ok=Count("id", filter=Q(kind="csat", score__gte=4)),
            )
        )
        return {r["account_id"]: r for r in rows}

    return run_cached(("survey_answers", as_of, _ids_key(account_ids)), compute)


def nps_by_account(as_of: date, account_ids: Iterable[int] | None = None) -> dict[int, float | None]:
    """Each account's NPS (-100..100) over the NPS answers of the 365 days ending `as_of`."""
    return {
        a: round(100.0 * (r["pro"] - r["det"]) / r["nps"], 1)
        for a, r in _answers(as_of, account_ids).items()
        if r["nps"]
    }


def csat_by_account(as_of: date, account_ids: Iterable[int] | None = None) -> dict[int, float | None]:
    """Each account's CSAT (share of 4-5 answers, 0..1) over the 365 days ending `as_of`."""
    return {a: round(r["ok"] / r["csat"], 4) for a, r in _answers(as_of, account_ids).items() if r["csat"]}


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
