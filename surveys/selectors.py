"""Reads for surveys. The widget's hot path looks its workspace and survey up here through a
short in-process cache (30 s), so an answer costs one database round trip."""

import time
from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .models import Survey, SurveyDelivery, SurveyResponse, SurveyWorkspace

__all__ = [
    "account_responses",
    "cache_clear",
    "survey_cached",
    "survey_list",
    "workspace_by_key",
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
    since = timezone.now() - timedelta(days=90)
    return Survey.objects.select_related("workspace").annotate(
        responses_90d=Count("responses", filter=Q(responses__submitted_at__gte=since), distinct=True),
    )


def account_responses(*, account_id: int, limit: int = 20) -> list[SurveyResponse]:
    return list(
        SurveyResponse.objects.filter(account_id=account_id)
        .select_related("contact", "survey", "theme")
        .order_by("-submitted_at", "-id")[:limit]
    )


def deliveries_pending_widget(*, contact_id: int, survey_ids: list[int], since) -> QuerySet:
    return SurveyDelivery.objects.filter(
        contact_id=contact_id, survey_id__in=survey_ids, channel="widget", status="sent", sent_at__gt=since
    ).filter(response__isnull=True)
