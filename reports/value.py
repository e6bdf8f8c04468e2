"""The figures of a value report (QBR / EBR) for one account over [start, end), each read where
its data lives: health snapshots (health), daily usage by feature (usage), success plan goals and
time to first value (onboarding), tickets (accounts), NPS answers (surveys). A fixed number of
queries, whatever the account's history: the report is a page, a PDF and a customer's link.

Headings: `section_headings(report, language)` gives each section's heading in `language`: the
CSM's own text for that language if written, else the translated default."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, SupportTicket
from health.models import HealthScore
from onboarding.metrics import ttfv
from onboarding.models import PlanGoal
from surveys.models import SurveyResponse
from usage.models import AccountDailyUsage

from .models import VALUE_SECTIONS, ValueReport

__all__ = ["DEFAULT_HEADINGS", "ValueFigures", "section_headings", "value_figures", "value_reports_of"]

DEFAULT_HEADINGS = {
    "health": _("Health over the period"),
    "adoption": _("Adoption by feature"),
    "goals": _("Goals achieved"),
    "ttfv": _("Time to first value"),
    "support": _("Support"),
    "nps": _("Net Promoter Score"),
    "outcomes": _("Your outcomes"),
}
CHART_W, CHART_H, MAX_POINTS = 600, 160, 60
TOP_FEATURES = 8


@dataclass
class ValueFigures:
    start: date
    end: date
    health: list[dict] = field(default_factory=list)  # [{"day", "score", "band"}]
    health_first: int | None = None
    health_last: int | None = None
    chart_points: str = ""  # SVG polyline points in a CHART_W x CHART_H box (score 0-100)
    features: list[dict] = field(default_factory=list)  # [{"name", "count", "share"}]
    active_days: int = 0
    goals_done: list[dict] = field(default_factory=list)  # [{"title", "completed_on"}]
    goals_total: int = 0
    goals_done_total: int = 0
    ttfv_days: int | None = None
    ttfv_event: str = ""
    tickets: int = 0
    first_response_hours: float | None = None
    resolution_hours: float | None = None
    nps: int | None = None
    nps_answers: int = 0

    @property
    def health_change(self) -> int | None:
        if self.health_first is None or self.health_last is None:
            return None
        return self.health_last - self.health_first


def _moment(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _health(figures: ValueFigures, account: Account) -> None:
    rows = list(
        HealthScore.objects.filter(account=account, day__gte=figures.start, day__lt=figures.end)
        .order_by("day")
        .values("day", "score", "band")
    )
    if len(rows) > MAX_POINTS:  # evenly spaced samples, the last day always in
        step = len(rows) / MAX_POINTS
        rows = [rows[int(i * step)] for i in range(MAX_POINTS - 1)] + [rows[-1]]
    figures.health = rows
    if rows:
        figures.health_first, figures.health_last = rows[0]["score"], rows[-1]["score"]
        span = max(1, (figures.end - figures.start).days - 1)
        figures.chart_points = " ".join(
            f"{(r['day'] - figures.start).days / span * CHART_W:.1f},{CHART_H - r['score'] / 100 * CHART_H:.1f}"
            for r in rows
        )


def _adoption(figures: ValueFigures, account: Account) -> None:
    counts: Counter = Counter()
    days = 0
    for features in AccountDailyUsage.objects.filter(
        account=account, day__gte=figures.start, day__lt=figures.end
    ).values_list("features", flat=True):
        days += 1
        for name, n in (features or {}).items():
            counts[name] += int(n or 0)
    top = counts.most_common(TOP_FEATURES)
    most = top[0][1] if top else 0
    figures.features = [{"name": name, "count": n, "share": round(100 * n / most) if most else 0} for name, n in top]
    figures.active_days = days


def _goals(figures: ValueFigures, account: Account) -> None:
    goals = list(PlanGoal.objects.filter(plan__account=account).values("title", "completed_at"))
    figures.goals_total = len(goals)
    figures.goals_done_total = sum(1 for g in goals if g["completed_at"])
    lo, hi = _moment(figures.start), _moment(figures.end)
    figures.goals_done = sorted(
        (
            {"title": g["title"], "completed_on": g["completed_at"].date()}
            for g in goals
            if g["completed_at"] and lo <= g["completed_at"] < hi
        ),
        key=lambda g: g["completed_on"],
    )


def _support(figures: ValueFigures, account: Account) -> None:
    tickets = SupportTicket.objects.filter(
        account=account, opened_at__gte=_moment(figures.start), opened_at__lt=_moment(figures.end)
    )
    hours = timedelta(hours=1)
    agg = tickets.aggregate(
        n=Count("id"),
        first=Avg(
            ExpressionWrapper(F("first_response_at") - F("opened_at"), output_field=DurationField()),
            filter=Q(first_response_at__isnull=False),
        ),
        resolved=Avg(
            ExpressionWrapper(F("resolved_at") - F("opened_at"), output_field=DurationField()),
            filter=Q(resolved_at__isnull=False),
        ),
    )
    figures.tickets = agg["n"]
    figures.first_response_hours = round(agg["first"] / hours, 1) if agg["first"] is not None else None
    figures.resolution_hours = round(agg["resolved"] / hours, 1) if agg["resolved"] is not None else None


def _nps(figures: ValueFigures, account: Account) -> None:
    agg = SurveyResponse.objects.filter(
        account=account, kind="nps", submitted_at__gte=_moment(figures.start), submitted_at__lt=_moment(figures.end)
    ).aggregate(
        n=Count("id"), promoters=Count("id", filter=Q(score__gte=9)), detractors=Count("id", filter=Q(score__lte=6))
    )
    figures.nps_answers = agg["n"]
    if agg["n"]:
        figures.nps = round(100 * (agg["promoters"] - agg["detractors"]) / agg["n"])


def value_figures(*, account: Account, start: date, end: date) -> ValueFigures:
    """Every figure of the report (about eight queries)."""
    figures = ValueFigures(start=start, end=end)
    _health(figures, account)
    _adoption(figures, account)
    _goals(figures, account)
    row = ttfv(account_ids=[account.pk]).for_account(account.pk)
    if row is not None:
        figures.ttfv_days, figures.ttfv_event = row.days, row.value_event
    _support(figures, account)
    _nps(figures, account)
    return figures


def section_headings(report: ValueReport, language: str) -> dict[str, str]:
    """{section: heading} in `language`: the CSM's text for that language, else the default
    heading translated."""
    custom = (report.headings or {}).get(language) or {}
    with translation.override(language):
        return {key: (custom.get(key) or "").strip() or str(DEFAULT_HEADINGS[key]) for key in VALUE_SECTIONS}


def value_reports_of(*, account: Account, limit: int | None = None) -> list[ValueReport]:
    reports = ValueReport.objects.filter(account=account)
    return list(reports[:limit] if limit else reports)
