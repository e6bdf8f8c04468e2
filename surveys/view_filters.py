"""Surveys' filters for saved views (accounts.saved_views.registry), registered in
SurveysConfig.ready(): the account's last NPS answer (0-10), last CSAT answer (1-5), and "a
detractor this quarter" (an NPS answer of 0-6 since the quarter began). Each one correlated
subquery on the (account, submitted_at) index."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.saved_views import register_view_filter

from .models import SurveyResponse

__all__ = ["quarter_start", "register_survey_view_filters"]

GROUP = _("Surveys")


def quarter_start(now: datetime | None = None) -> datetime:
    now = now or timezone.now()
    return datetime(now.year, 3 * ((now.month - 1) // 3) + 1, 1, tzinfo=UTC)


def _last(kind: str):
    return Subquery(
        SurveyResponse.objects.filter(account_id=OuterRef("pk"), kind=kind)
        .order_by("-submitted_at", "-id")
        .values("score")[:1],
        output_field=IntegerField(),
    )


def _last_answer(kind: str):
    def apply(op, value, *, user):
        if op == "between":
            return Q(GreaterThanOrEqual(_last(kind), int(value[0]))) & Q(LessThanOrEqual(_last(kind), int(value[1])))
        lookup = GreaterThanOrEqual if op == "gte" else LessThanOrEqual
        return Q(lookup(_last(kind), int(value)))

    return apply


def _detractor(op, value, *, user):
    found = Exists(
        SurveyResponse.objects.filter(
            account_id=OuterRef("pk"), kind="nps", score__lte=6, submitted_at__gte=quarter_start()
        )
    )
    return Q(found) if op == "is_true" else ~Q(found)


def register_survey_view_filters() -> None:
    register_view_filter("last_nps", _("Last NPS answer"), "number", apply=_last_answer("nps"), group=GROUP)
    register_view_filter("last_csat", _("Last CSAT answer"), "number", apply=_last_answer("csat"), group=GROUP)
    register_view_filter("detractor_quarter", _("A detractor this quarter"), "boolean", apply=_detractor, group=GROUP)
