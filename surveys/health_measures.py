"""Health measures "nps" and "csat", registered in SurveysConfig.ready() (health.registry).
Set-based: one grouped query for any number of accounts, shared by both measures within a
recompute run (health.registry.run_cached); a chunk that is a whole id range
(usage.rollups.AccountRange) is filtered by range, not by a list of thousands of ids.
For a history (health.history), `compute_days` gives many days at once from one query of
daily counts."""

from collections.abc import Iterable, Sequence
from datetime import UTC, date, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from health.registry import Measure, run_cached
from usage.rollups import AccountRange, account_filter

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
            account_filter(qs, account_ids).exclude(account_id=None).values("account_id").annotate(**_answer_counts())
        )
        return {r["account_id"]: r for r in rows}

    return run_cached(("survey_answers", as_of, _ids_key(account_ids)), compute)


def _answer_counts() -> dict:
    """Per group of answers: NPS answers, promoters (9-10), detractors (0-6), CSAT answers, and
    satisfied ones (4-5)."""
    return {
        "nps": Count("id", filter=Q(kind="nps")),
        "pro": Count("id", filter=Q(kind="nps", score__gte=9)),
        "det": Count("id", filter=Q(kind="nps", score__lte=6)),
        "csat": Count("id", filter=Q(kind="csat")),
        "ok": Count("id", filter=Q(kind="csat", score__gte=4)),
    }


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


def _answers_days(days: Sequence[date], account_ids: Sequence[int]) -> dict:
    """For each day and account (days x accounts), the counts _answers gives: one query of
    daily counts per account over the whole span, then a 365-day window per day."""
    from health.measures_days import columns, ids_key, ordinals

    def compute():
        import numpy as np

        start = as_datetime(days[0] + timedelta(days=1)) - timedelta(days=WINDOW_DAYS)
        end = as_datetime(days[-1] + timedelta(days=1))
        # No condition on kind: the (account, submitted_at) index then serves a chunk's range
        # (with kind, a planner without statistics, as in the seed, scans every answer of
        # the span per chunk); other kinds count nowhere.
        qs = SurveyResponse.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
        rows = list(
            account_filter(qs, account_ids)
            .exclude(account_id=None)
            .annotate(d=TruncDate("submitted_at", tzinfo=UTC))
            .values("account_id", "d")
            .annotate(**_answer_counts())
            .values_list("account_id", "d", "nps", "pro", "det", "csat", "ok")
        )
        n = len(account_ids)
        cols, there = columns(account_ids, [r[0] for r in rows])
        day = np.array([r[1].toordinal() for r in rows], dtype=np.int64)
        counts = np.array([r[2:] for r in rows], dtype=np.float64).reshape(-1, 5)
        out = {k: np.zeros((len(days), n), dtype=np.int64) for k in ("nps", "pro", "det", "csat", "ok")}
        # Submitted in [midnight of d - 364, midnight of d + 1): on the days d - 364 .. d.
        for i, d in enumerate(ordinals(days).tolist()):
            inside = there & (day >= d - WINDOW_DAYS + 1) & (day <= d)
            for k, key in enumerate(out):
                out[key][i] = np.bincount(cols[inside], weights=counts[inside, k], minlength=n)
        return out

    return run_cached(("survey_answers_days", tuple(days), ids_key(account_ids)), compute)


def nps_days(days: Sequence[date], account_ids: Sequence[int]):
    import numpy as np

    from health.measures_days import rounded

    a = _answers_days(days, account_ids)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = 100.0 * (a["pro"] - a["det"]).astype(np.float64) / a["nps"]
    return rounded(np.where(a["nps"] > 0, value, np.nan), 1)


def csat_days(days: Sequence[date], account_ids: Sequence[int]):
    import numpy as np

    from health.measures_days import rounded

    a = _answers_days(days, account_ids)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = a["ok"] / a["csat"]
    return rounded(np.where(a["csat"] > 0, value, np.nan), 4)


SURVEY_MEASURES = (
    Measure(
        key="nps",
        label=_("NPS"),
        compute=nps_by_account,
        compute_days=nps_days,
        unit=_("NPS"),
        description=_("Net Promoter Score of the account's answers over the last 12 months (-100 to 100)."),
        default_points=((-100.0, 0.0), (0.0, 50.0), (50.0, 100.0)),
    ),
    Measure(
        key="csat",
        label=_("CSAT"),
        compute=csat_by_account,
        compute_days=csat_days,
        unit=_("share"),
        description=_("Share of the account's CSAT answers that are 4 or 5, over the last 12 months."),
        default_points=((0.4, 0.0), (0.7, 50.0), (0.9, 100.0)),
    ),
)
