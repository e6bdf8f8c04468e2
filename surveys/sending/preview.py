"""What "Email the audience" would do now (`survey_send_preview`): counted over the whole
audience in the background (surveys.preview_count), cached per survey and audience version,
and read by the confirm page, the builder's budget note and the survey list."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache
from django.utils import timezone

from ..choices import SendJobStatus, SkipReason
from ..models import Survey, SurveySendJob
from .plan import _audience_chunk, _plan_chunk

__all__ = [
    "BUDGET_NOTE_SHARE",
    "PREVIEW_CACHE_SECONDS",
    "PREVIEW_MAX_AGE",
    "SendPreview",
    "preview_fresh",
    "survey_budget_note",
    "survey_send_preview",
    "survey_send_preview_cached",
    "surveys_budget_blocked",
]

BUDGET_NOTE_SHARE = 0.5  # the note shows when the budget blocks more than this share
PREVIEW_MAX_AGE = 600  # a count is reused for ten minutes (while the survey is unchanged)
PREVIEW_CACHE_SECONDS = 3600  # kept a little longer so a stale count is replaced, not lost


@dataclass
class SendPreview:
    """What "Email the audience" would do now: `audience` contacts (sampled), of whom
    `will_ask` get an e-mail and the others are skipped, by reason."""

    audience: int = 0
    will_ask: int = 0
    skipped: dict = field(default_factory=dict)
    computed_at: datetime | None = None
    # A count in the background (surveys.preview_count) stores itself as it goes: "counting"
    # with `scanned` of `total` contacts looked at, then "done".
    status: str = "done"
    scanned: int = 0
    total: int = 0
    run: str = ""
    updated_at: datetime | None = None

    @property
    def done(self) -> bool:
        return self.status == "done"

    @property
    def percent(self) -> int:
        if self.done:
            return 100
        return min(99, round(100 * self.scanned / self.total)) if self.total else 0

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    @property
    def budget_blocked(self) -> int:
        return self.skipped.get(SkipReason.RECENTLY_ASKED, 0) + self.skipped.get(SkipReason.ACCOUNT_CAP, 0)

    @property
    def budget_share(self) -> float:
        return self.budget_blocked / self.audience if self.audience else 0.0

    @property
    def reasons(self) -> list[tuple[str, str, int]]:
        """(code, label, count) of each reason with a count, in checking order."""
        return [(r.value, str(r.label), self.skipped[r.value]) for r in SkipReason if self.skipped.get(r.value)]


def survey_send_preview(
    *, survey: Survey, now: datetime | None = None, chunk: int = 20000, progress=None, store: bool = True
) -> SendPreview:
    """Who "Email the audience" would e-mail now and why not the others, over the whole
    audience in keyset chunks (a few queries per chunk), writing nothing but the cached result.
    Proportional to the audience: web requests never call it, a background task does
    (surveys.preview_count). `progress(preview)`, called after each chunk with the counts so far,
    may return False to stop; the result is cached unless `store` is False."""
    from ..services.audience import _drip_left

    now = now or timezone.now()
    drip_left = _drip_left(survey, now)
    places: dict[int, int] = Counter()
    preview = SendPreview(computed_at=now, status="counting")
    skipped: Counter = Counter()
    after = 0
    while True:
        rows = _audience_chunk(survey, after_id=after, limit=chunk)
        if not rows:
            break
        plan = _plan_chunk(survey, rows, now=now, drip_left=drip_left, places_taken=places)
        preview.audience += plan.audience
        preview.will_ask += len(plan.ask)
        preview.scanned += len(rows)
        skipped.update(plan.skipped)
        preview.skipped = {k: v for k, v in skipped.items() if v}
        for row in plan.ask:  # what the send would record before its next chunk
            if row.account_id is not None:
                places[row.account_id] += 1
        if drip_left is not None:
            drip_left -= len(plan.ask)
        after = rows[-1].id
        if progress is not None and progress(preview) is False:
            return preview
    preview.status = "done"
    preview.updated_at = timezone.now()
    if store:
        cache.set(_budget_key(survey), preview, PREVIEW_CACHE_SECONDS)
    return preview


def _budget_key(survey: Survey) -> str:
    """One cache entry per survey and audience version (the survey's last change): the
    preview being counted or counted, which the confirm page, the budget note and the list read."""
    return f"surveys:send-preview:{survey.id}:{survey.updated_at.timestamp() if survey.updated_at else 0}"


def preview_fresh(preview: SendPreview | None, *, now: datetime | None = None) -> bool:
    """A finished count of the last PREVIEW_MAX_AGE seconds."""
    if preview is None or not preview.done or preview.computed_at is None:
        return False
    return ((now or timezone.now()) - preview.computed_at).total_seconds() < PREVIEW_MAX_AGE


def survey_send_preview_cached(*, survey: Survey, now: datetime | None = None) -> SendPreview | None:
    """The survey's finished preview of the last few minutes, if any (computes nothing)."""
    preview = cache.get(_budget_key(survey))
    return preview if preview_fresh(preview, now=now) else None


def survey_budget_note(*, survey: Survey, preview: SendPreview | None = None) -> SendPreview | None:
    """The preview when the fatigue budget blocks most (more than half) of the survey's
    audience, else None; from `preview` or a recent count (computes nothing: an unknown count
    is None too, see surveys.preview_count to start one)."""
    preview = preview or survey_send_preview_cached(survey=survey)
    if preview is not None and preview.audience and preview.budget_share > BUDGET_NOTE_SHARE:
        return preview
    return None


def surveys_budget_blocked(surveys: list[Survey]) -> dict[int, int]:
    """{survey id: percent of its audience the budget blocks} for the surveys where that is
    over half and known without computing it: from a preview of the last few minutes, else from
    the survey's latest finished send. Two queries whatever the number of surveys."""
    cached = cache.get_many([_budget_key(s) for s in surveys])
    latest: dict[int, SurveySendJob] = {}
    for job in SurveySendJob.objects.filter(survey__in=surveys, status=SendJobStatus.DONE).order_by(
        "survey_id", "-created_at"
    ):
        latest.setdefault(job.survey_id, job)
    result = {}
    for survey in surveys:
        preview = cached.get(_budget_key(survey))
        known = preview if preview_fresh(preview) else latest.get(survey.id)
        if known is None or not known.audience:
            continue
        blocked = known.skipped.get(SkipReason.RECENTLY_ASKED, 0) + known.skipped.get(SkipReason.ACCOUNT_CAP, 0)
        if blocked / known.audience > BUDGET_NOTE_SHARE:
            result[survey.id] = round(100 * blocked / known.audience)
    return result
