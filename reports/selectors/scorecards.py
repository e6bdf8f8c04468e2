"""Reads for the scorecards: each CSM's or segment's metrics for a period and the one before."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import F, Sum
from django.utils.translation import gettext as _

from core.replica import read_replica
from usage import metrics

from ..models import MetricCube, RefreshLog
from ..periods import Period, previous_period
from .base import CUBE_FIELDS, LIVE_CACHE_SECONDS, SURVEY_CUBE_FIELDS, cached, in_cube, survey_from_counts


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
    comps: dict[str, Decimal | float | int] = {}
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


@read_replica
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


@read_replica
def scorecards_for(*, period: Period, refresh: RefreshLog | None, segment: str = "") -> tuple[list[dict], list[dict]]:
    """The scorecards page: (rows per CSM, rows per segment), each row labelled (the CSM's name,
    the segment) and sorted by label; `segment` keeps that segment's row only."""
    from core.models import User

    by_csm = scorecard_rows(period=period, field="owner_id", refresh=refresh)
    by_segment = scorecard_rows(period=period, field="segment", refresh=refresh)
    users = {u.pk: u for u in User.objects.filter(pk__in=[r["key"] for r in by_csm if r["key"]])}
    for row in by_csm:
        row["label"] = str(users.get(row["key"], _("Unassigned"))) if row["key"] else _("Unassigned")
    for row in by_segment:
        row["label"] = row["key"] or _("No segment")
    if segment:
        by_segment = [r for r in by_segment if r["key"] == segment]
    return sorted(by_csm, key=lambda r: r["label"]), sorted(by_segment, key=lambda r: r["label"])
