"""Counting "Email the audience" in the background, so no web request waits for it.

Counting who would be e-mailed and why not (`sending.survey_send_preview`) reads the whole
audience: about a second at 5,000 accounts, far more at 100,000. The confirm page, its poll and
the survey's budget note therefore only read the count's cache entry (one per survey and
audience version, `sending.preview._budget_key`) and, when there is no recent one, start
`survey_send_preview_task` after commit. The task stores the counts as it goes ("counting",
`scanned` of `total` contacts) and then the result ("done"); a finished count is reused for
`PREVIEW_MAX_AGE` seconds.

Each count carries a run token: a task counts only while the cache entry still holds its token,
so a count started again (stale, or its worker died: no progress for `STALL_SECONDS`) makes the
older task stop, and the same task run twice stores one result.
"""

import uuid
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from .models import Survey
from .sending.plan import _audience_queryset
from .sending.preview import (
    PREVIEW_CACHE_SECONDS,
    SendPreview,
    _budget_key,
    preview_fresh,
    survey_send_preview,
)

__all__ = ["STALL_SECONDS", "survey_preview_count", "survey_preview_request", "survey_preview_state"]

STALL_SECONDS = 120  # a count with no progress for this long is started again
PREVIEW_CHUNK = 20000  # contacts counted between two progress reports


def survey_preview_state(*, survey: Survey) -> SendPreview | None:
    """The survey's count as stored: being counted, counted, or None (one cache read)."""
    return cache.get(_budget_key(survey))


def _usable(state: SendPreview | None, now: datetime) -> bool:
    if state is None:
        return False
    if state.done:
        return preview_fresh(state, now=now)
    last = state.updated_at or state.computed_at
    return last is not None and (now - last).total_seconds() < STALL_SECONDS


def survey_preview_request(*, survey: Survey, now: datetime | None = None) -> SendPreview:
    """The survey's recent count, or the one under way, or a new one started now (queued after
    commit). Cheap: a cache read, and a cache write when a count starts."""
    from .tasks import survey_send_preview_task

    now = now or timezone.now()
    key = _budget_key(survey)
    state = cache.get(key)
    if _usable(state, now):
        return state
    run = uuid.uuid4().hex
    started = SendPreview(status="counting", run=run, computed_at=now, updated_at=now)
    if state is None:
        if not cache.add(key, started, PREVIEW_CACHE_SECONDS):  # another request started one
            return cache.get(key) or started
    else:
        cache.set(key, started, PREVIEW_CACHE_SECONDS)  # a stale count: its task, if alive, stops
    survey_id = survey.id
    transaction.on_commit(lambda: survey_send_preview_task.delay(survey_id, run), robust=True)
    return cache.get(key) or started  # in the embedded mode the task has already run


def survey_preview_count(*, survey_id: int, run: str) -> SendPreview | None:
    """The task's work: count the survey's audience for the count `run`, storing progress after
    each chunk. Does nothing when `run` is no longer the survey's current count (replaced, or
    already done: a second run of the task stores no second result)."""
    survey = Survey.objects.filter(id=survey_id).first()
    if survey is None:
        return None
    key = _budget_key(survey)

    def current() -> SendPreview | None:
        state = cache.get(key)
        return state if state is not None and state.run == run and not state.done else None

    started = current()
    if started is None:
        return None
    started.total = _audience_queryset(survey).count()
    started.updated_at = timezone.now()
    cache.set(key, started, PREVIEW_CACHE_SECONDS)

    def progress(partial: SendPreview) -> bool:
        if current() is None:
            return False
        partial.run, partial.total, partial.updated_at = run, started.total, timezone.now()
        cache.set(key, partial, PREVIEW_CACHE_SECONDS)
        return True

    preview = survey_send_preview(
        survey=survey, now=started.computed_at, chunk=PREVIEW_CHUNK, progress=progress, store=False
    )
    if not preview.done:
        return None
    preview.run, preview.total = run, started.total
    if current() is None:  # replaced while the last chunk was counted
        return None
    cache.set(key, preview, PREVIEW_CACHE_SECONDS)
    return preview
