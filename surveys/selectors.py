"""Reads for surveys. The widget's hot path looks its workspace and survey up here through a
short in-process cache (30 s), so an answer costs one database round trip."""

import time
from datetime import date, datetime, timedelta

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import (
    ResponseTheme,
    Survey,
    SurveyDay,
    SurveyDayState,
    SurveyDelivery,
    SurveyResponse,
    SurveySendJob,
    SurveyWorkspace,
)

__all__ = [
    "account_responses",
    "cache_clear",
    "delivery_response",
    "report_owner_names",
    "report_themes",
    "report_verbatims",
    "survey_cached",
    "survey_last_send",
    "survey_list",
    "survey_report_counts",
    "survey_send_running",
    "workspace_by_key",
    "workspace_list",
]

_TTL = 30.0
_cache: dict[tuple, tuple[float, object]] = {}


def cache_clear() -> None:
    _cache.clear()


def _cached(key: tuple, load):
    hit = _cache.get(key)
    now = time.monotonic()
    if hit is not None and hit[0] > now:
        return hit[1]
    value = load()
    if len(_cache) > 2000:
        _cache.clear()
    _cache[key] = (now + _TTL, value)
    return value


def workspace_by_key(key: str) -> SurveyWorkspace | None:
    if not key or len(key) > 32:
        return None
    return _cached(("ws", key), lambda: SurveyWorkspace.objects.filter(key=key).first())


def survey_cached(survey_id: int) -> Survey | None:
    return _cached(("survey", survey_id), lambda: Survey.objects.filter(id=survey_id).first())


def survey_list() -> QuerySet:
    """Surveys with their answers of the last 90 days: one count per survey over the range of the
    index (survey, submitted_at), not a join of every survey with every answer."""
    since = timezone.now() - timedelta(days=90)
    recent = (
        SurveyResponse.objects.filter(survey=OuterRef("pk"), submitted_at__gte=since)
        .order_by()
        .values("survey")
        .annotate(n=Count("*"))  # COUNT(*): the index holds every column read (an index-only scan)
        .values("n")
    )
    return Survey.objects.select_related("workspace").annotate(responses_90d=Coalesce(Subquery(recent), 0))


def workspace_list() -> list[SurveyWorkspace]:
    return list(SurveyWorkspace.objects.all())


def survey_last_send(*, survey: Survey) -> SurveySendJob | None:
    """The survey's latest "Email the audience" send (the builder shows how it went)."""
    return survey.send_jobs.select_related("created_by").first()


def survey_send_running(*, survey: Survey) -> SurveySendJob | None:
    """A send of this survey still queued or running, if any."""
    return survey.send_jobs.filter(status__in=["queued", "running"]).first()


def delivery_response(*, delivery_id: int) -> SurveyResponse | None:
    """The answer given to a delivery so far (score, comment, follow-up answers), if any."""
    return SurveyResponse.objects.filter(delivery_id=delivery_id).only("score", "comment", "answers").first()


def account_responses(*, account_id: int, limit: int = 20) -> list[SurveyResponse]:
    return list(
        SurveyResponse.objects.filter(account_id=account_id)
        .select_related("contact", "survey", "theme")
        .order_by("-submitted_at", "-id")[:limit]
    )


def contact_responses(*, contact_id: int, limit: int = 10) -> tuple[list[SurveyResponse], int]:
    """A contact's newest answers (imported history too) and how many they gave in all: two queries."""
    rows = list(
        SurveyResponse.objects.filter(contact_id=contact_id)
        .select_related("survey", "theme")
        .order_by("-submitted_at", "-id")[:limit]
    )
    total = SurveyResponse.objects.filter(contact_id=contact_id).count() if len(rows) == limit else len(rows)
    return rows, total


def deliveries_pending_widget(*, contact_id: int, survey_ids: list[int], since) -> QuerySet:
    return SurveyDelivery.objects.filter(
        contact_id=contact_id, survey_id__in=survey_ids, channel="widget", status="sent", sent_at__gt=since
    ).filter(response__isnull=True)


# Section: the survey report (from the pre-aggregate, surveys.rollups)


def _stored_days_q(start: date, end: date) -> Q | None:
    """The SurveyDay rows that make up [start, end) exactly: whole months from month rows, the
    days at either edge from day rows. None when the range is empty."""
    if end <= start:
        return None
    first_month = start if start.day == 1 else (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    last_month = end.replace(day=1)  # the months [first_month, last_month) are whole
    if first_month >= last_month:
        return Q(grain=SurveyDay.Grain.DAY, day__gte=start, day__lt=end)
    return (
        Q(grain=SurveyDay.Grain.MONTH, day__gte=first_month, day__lt=last_month)
        | Q(grain=SurveyDay.Grain.DAY, day__gte=start, day__lt=first_month)
        | Q(grain=SurveyDay.Grain.DAY, day__gte=last_month, day__lt=end)
    )


REPORT_GROUPS = ("month", "segment", "tier", "owner_id")


def survey_report_counts(
    *,
    start: date,
    end: date,
    segment: str = "",
    tier: str = "",
    owner_id: int | None = None,
    groups: tuple[str, ...] = REPORT_GROUPS,
) -> dict:
    """Every count the survey report shows for answers submitted (and deliveries sent) in
    [start, end), optionally for one segment / tier / owner's accounts:
    {"totals": {column: n}, "month" | "segment" | "tier" | "owner_id": [(key, {column: n})]}
    (columns: surveys.rollups.COUNT_COLUMNS; keys sorted, None last; only the `groups` asked). Stored days come from
    SurveyDay, the days after them from the raw tables (surveys.rollups.day_rows): at most eight
    queries whatever the number of answers."""
    from .rollups import COUNT_COLUMNS, day_rows

    complete_until = SurveyDayState.objects.filter(pk=1).values_list("complete_until", flat=True).first()
    stored_end = max(start, min(end, complete_until)) if complete_until else start
    rows_q, accounts_q = Q(), Q()
    for name, value in (("segment", segment), ("tier", tier), ("owner_id", owner_id)):
        if value:
            rows_q &= Q(**{name: value})
            accounts_q &= Q(**{f"account__{name}": value})
    tail = day_rows(start=stored_end, end=end, narrow=accounts_q or None) if stored_end < end else []
    for row in tail:
        row["month"] = row["day"].replace(day=1)

    stored_q = _stored_days_q(start, stored_end)
    stored = SurveyDay.objects.filter(stored_q & rows_q) if stored_q is not None else SurveyDay.objects.none()
    sums = {f"s_{c}": Sum(c) for c in COUNT_COLUMNS}

    def counts(values: dict) -> dict:
        return {c: values.get(f"s_{c}") or 0 for c in COUNT_COLUMNS}

    totals = counts(stored.aggregate(**sums)) if stored_q is not None else dict.fromkeys(COUNT_COLUMNS, 0)
    for row in tail:
        for c in COUNT_COLUMNS:
            totals[c] += row[c]
    out: dict = {"totals": totals}
    for group in groups:
        merged: dict = {}
        if stored_q is not None:
            for values in stored.values(group).annotate(**sums).order_by():
                merged[values[group]] = counts(values)
        for row in tail:
            target = merged.setdefault(row[group], dict.fromkeys(COUNT_COLUMNS, 0))
            for c in COUNT_COLUMNS:
                target[c] += row[c]
        out[group] = sorted(merged.items(), key=lambda item: (item[0] is None, item[0] or ""))
    return out


def report_verbatims(
    *, start: datetime, end: datetime, narrowing: dict, kind: str = "", q: str = "", theme: int | None = None
) -> QuerySet:
    """The report's comments submitted in [start, end), newest first, narrowed to the accounts of
    a segment / tier / owner (`narrowing`), a kind, a search in the text and a theme tag."""
    qs = (
        SurveyResponse.objects.submitted_between(start, end)
        .exclude(comment="")
        .select_related("account", "contact", "theme")
    )
    for name, value in narrowing.items():
        if value:
            qs = qs.filter(**{f"account__{name}": value})
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(comment__icontains=q)
    if theme:
        qs = qs.filter(theme_id=theme)
    return qs.order_by("-submitted_at", "-id")


def report_owner_names(*, owner_ids: list[int]) -> dict[int, str]:
    """{user id: display name} of the CSMs in the report's breakdown by owner."""
    from core.models import User

    return {u.id: str(u) for u in User.objects.filter(id__in=owner_ids)}


def report_themes(*, limit: int = 30) -> list[ResponseTheme]:
    return list(ResponseTheme.objects.all()[:limit])
