"""Emailing a survey to its whole audience ("Email the audience…" in the builder).

An admin first sees who will and will not be asked and why (`survey_send_preview`, a read over
the audience in keyset chunks, writing nothing), then confirms. The confirmation creates a
`SurveySendJob` (`send_job_create`) and queues `survey_send_job_task` after commit; the task
calls `send_job_step` once per chunk of the audience and queues itself again until the job is
done, so the request returns at once and the builder polls the job's progress.

Each step, in order:
1. plans the next chunk of contacts (the same rules as the preview: sample, fatigue budget,
   e-mail address, drip) and, in one transaction with moving the job's cursor, writes for each
   contact to e-mail its delivery, its fatigue touch and a `SurveySendRecipient` row
   (unique per job and contact);
2. e-mails the job's pending recipients in batches: a batch is claimed (`sending`) before its
   e-mails go and marked `sent` (or `failed`) right after. A claim left by a worker that died
   is marked `interrupted`, never sent again: a retry e-mails nobody twice.
A mail server that refuses to talk puts the unsent claims back to pending and raises
`MailUnavailable`: the task retries later from where it stopped, and after its last retry
fails the job, which an admin can resume (`send_job_resume`) once mail works again.

Counts of the preview and the job agree as long as nothing else spends the budget meanwhile.
"""

import smtplib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone

from .choices import Channel, RecipientStatus, SendJobStatus, SkipReason, TouchKind
from .fatigue import fatigue_check_rows, fatigue_record_many
from .models import Survey, SurveyDelivery, SurveySendJob, SurveySendRecipient
from .tokens import make_token
from .wording import survey_language

__all__ = [
    "MailUnavailable",
    "SendInProgress",
    "SendPreview",
    "send_job_create",
    "send_job_fail",
    "send_job_resume",
    "send_job_step",
    "survey_budget_note",
    "survey_email_message",
    "survey_send_preview",
    "survey_send_preview_cached",
    "preview_fresh",
    "surveys_budget_blocked",
]

PLAN_CHUNK = 2000  # contacts planned per step
SEND_BATCH = 100  # e-mails claimed at a time
BUDGET_NOTE_SHARE = 0.5  # the note shows when the budget blocks more than this share
PREVIEW_MAX_AGE = 600  # a count is reused for ten minutes (while the survey is unchanged)
PREVIEW_CACHE_SECONDS = 3600  # kept a little longer so a stale count is replaced, not lost


class MailUnavailable(Exception):
    """The mail server could not be reached or refused to talk: retry the step later."""


class SendInProgress(Exception):
    """The survey already has a send job queued or running (`job`)."""

    def __init__(self, job: SurveySendJob):
        super().__init__(f"send job {job.id} is already {job.status}")
        self.job = job


# Section: plan (reads)


def _audience_queryset(survey: Survey):
    """Contacts matching the survey's audience filters (segment, tier, persona), before sampling."""
    from accounts.models import Contact

    qs = Contact.objects.all()
    if survey.segments:
        qs = qs.filter(account__segment__in=survey.segments)
    if survey.tiers:
        qs = qs.filter(account__tier__in=survey.tiers)
    persona_ids = [p.id for p in survey.personas.all()]
    if persona_ids:
        qs = qs.filter(persona_id__in=persona_ids)
    return qs


def _audience_chunk(survey: Survey, *, after_id: int, limit: int) -> list:
    """The next `limit` contacts of the audience after `after_id`: rows with id, account_id,
    email, language."""
    return list(
        _audience_queryset(survey)
        .filter(id__gt=after_id)
        .order_by("id")
        .values_list("id", "account_id", "email", "language", named=True)[:limit]
    )


@dataclass
class ChunkPlan:
    audience: int = 0
    ask: list = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)


def _plan_chunk(
    survey: Survey, rows: list, *, now: datetime, drip_left: int | None, places_taken: dict | None = None
) -> ChunkPlan:
    """Who of these audience rows (contact id order) to e-mail now, and why not the others:
    the sample, then the fatigue budget (recontact window, account cap), an e-mail address,
    the drip. Reads only."""
    from .services.audience import _sampled

    plan = ChunkPlan()
    sampled = [r for r in rows if _sampled(survey.id, r.id, survey.sample_percent)]
    plan.audience = len(sampled)
    if not sampled:
        return plan
    # the chunk's contacts as a subquery (an id range of the audience), not a list of ids
    contacts = _audience_queryset(survey).filter(id__gte=rows[0].id, id__lte=rows[-1].id)
    check = fatigue_check_rows(
        contacts=contacts, rows=[(r.id, r.account_id) for r in sampled], now=now, places_taken=places_taken
    )
    plan.skipped[SkipReason.RECENTLY_ASKED] += len(check.recent)
    plan.skipped[SkipReason.ACCOUNT_CAP] += len(check.capped)
    allowed = [r for r in sampled if r.id in check.allowed]
    with_email = [r for r in allowed if r.email]
    plan.skipped[SkipReason.NO_EMAIL] += len(allowed) - len(with_email)
    plan.ask = with_email if drip_left is None else with_email[: max(0, drip_left)]
    plan.skipped[SkipReason.DRIP] += len(with_email) - len(plan.ask)
    return plan


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
    from .services.audience import _drip_left

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


# Section: the e-mail


def survey_email_message(*, survey: Survey, delivery: SurveyDelivery, email: str, name: str) -> EmailMultiAlternatives:
    """The survey e-mail of one delivery, in the delivery's language, its score scale as
    one-click signed links."""
    from .services.emails import _email_links

    token = make_token("email", {"d": delivery.id})
    texts = survey.texts(delivery.language)
    context = {"survey": survey, "texts": texts, "links": _email_links(token, survey), "name": name}
    message = EmailMultiAlternatives(
        subject=texts["question"], body=render_to_string("surveys/email/survey_email.txt", context), to=[email]
    )
    message.attach_alternative(render_to_string("surveys/email/survey_email.html", context), "text/html")
    return message


# Section: the job (writes)


def send_job_create(*, survey: Survey, created_by=None, now: datetime | None = None) -> SurveySendJob:
    """Queue "Email the audience" for `survey`. Raises SendInProgress when a send of this
    survey is already queued or running (a second click starts nothing)."""
    from .tasks import survey_send_job_task

    running = SurveySendJob.objects.filter(
        survey=survey, status__in=[SendJobStatus.QUEUED, SendJobStatus.RUNNING]
    ).first()
    if running is not None:
        raise SendInProgress(running)
    try:
        with transaction.atomic():
            job = SurveySendJob.objects.create(
                survey=survey,
                created_by=created_by,
                created_at=now or timezone.now(),
                candidates=_audience_queryset(survey).count(),
            )
    except IntegrityError as exc:  # a concurrent click won the race
        running = SurveySendJob.objects.filter(
            survey=survey, status__in=[SendJobStatus.QUEUED, SendJobStatus.RUNNING]
        ).first()
        if running is None:
            raise
        raise SendInProgress(running) from exc
    transaction.on_commit(lambda: survey_send_job_task.delay(job.id), robust=True)
    return job


def send_job_step(*, job_id: int, now: datetime | None = None, chunk: int | None = None) -> bool:
    """Plan the job's next chunk of the audience and e-mail its pending recipients. Returns
    True while there is more to do. Idempotent: safe to run again after any failure."""
    job = SurveySendJob.objects.select_related("survey").filter(id=job_id).first()
    if job is None or not job.active:
        return False
    now = now or timezone.now()
    if job.status == SendJobStatus.QUEUED:
        SurveySendJob.objects.filter(id=job.id, status=SendJobStatus.QUEUED).update(
            status=SendJobStatus.RUNNING, started_at=now
        )
    # A worker died between claiming e-mails and recording them: some may have gone out.
    job.recipients.filter(status=RecipientStatus.SENDING).update(
        status=RecipientStatus.INTERRUPTED, error="interrupted while sending; not sent again"
    )
    _plan_next_chunk(job.id, now=now, chunk=chunk or PLAN_CHUNK)
    try:
        _send_pending(job)
    finally:
        _count(job.id)
    job.refresh_from_db()
    if job.planned_all and not job.recipients.filter(status=RecipientStatus.PENDING).exists():
        SurveySendJob.objects.filter(id=job.id, status=SendJobStatus.RUNNING).update(
            status=SendJobStatus.DONE, finished_at=timezone.now(), error=""
        )
        return False
    return True


def send_job_resume(*, job: SurveySendJob) -> SurveySendJob:
    """Carry on with a failed send where it stopped (its pending e-mails, then the rest of the
    audience). Raises SendInProgress when another send of the survey is queued or running."""
    from .tasks import survey_send_job_task

    if job.status != SendJobStatus.FAILED:
        return job
    try:
        with transaction.atomic():
            SurveySendJob.objects.filter(id=job.id, status=SendJobStatus.FAILED).update(
                status=SendJobStatus.QUEUED, error="", finished_at=None
            )
    except IntegrityError as exc:
        running = SurveySendJob.objects.filter(
            survey_id=job.survey_id, status__in=[SendJobStatus.QUEUED, SendJobStatus.RUNNING]
        ).first()
        if running is None:
            raise
        raise SendInProgress(running) from exc
    transaction.on_commit(lambda: survey_send_job_task.delay(job.id), robust=True)
    job.refresh_from_db()
    return job


def send_job_fail(*, job_id: int, error: str) -> None:
    """Give up on a job (the mail server stayed unreachable through every retry)."""
    SurveySendJob.objects.filter(id=job_id, status__in=[SendJobStatus.QUEUED, SendJobStatus.RUNNING]).update(
        status=SendJobStatus.FAILED, finished_at=timezone.now(), error=error[:2000]
    )


def _plan_next_chunk(job_id: int, *, now: datetime, chunk: int) -> None:
    """One chunk: deliveries, fatigue touches and recipient rows of the contacts to e-mail,
    skipped counts, and the cursor, in one transaction (all or nothing)."""
    from .services.audience import _drip_left

    with transaction.atomic():
        job = SurveySendJob.objects.select_for_update().select_related("survey").get(id=job_id)
        if job.planned_all:
            return
        survey = job.survey
        rows = _audience_chunk(survey, after_id=job.cursor, limit=chunk)
        plan = _plan_chunk(survey, rows, now=now, drip_left=_drip_left(survey, now)) if rows else ChunkPlan()
        if plan.ask:
            deliveries = SurveyDelivery.objects.bulk_create(
                [
                    SurveyDelivery(
                        survey=survey,
                        contact_id=row.id,
                        account_id=row.account_id,
                        channel=Channel.EMAIL,
                        language=survey_language(row.language) or survey.default_language,
                        sent_at=now,
                    )
                    for row in plan.ask
                ]
            )
            fatigue_record_many(
                contacts=[(row.id, row.account_id) for row in plan.ask],
                channel=Channel.EMAIL,
                kind=TouchKind.ASKED,
                occurred_at=now,
            )
            SurveySendRecipient.objects.bulk_create(
                [SurveySendRecipient(job=job, contact_id=d.contact_id, delivery=d) for d in deliveries]
            )
        skipped = Counter(job.skipped)
        skipped.update(plan.skipped)
        job.skipped = {k: v for k, v in skipped.items() if v}
        job.audience += plan.audience
        job.scanned += len(rows)
        job.cursor = rows[-1].id if rows else job.cursor
        job.planned_all = len(rows) < chunk
        job.save(update_fields=["skipped", "audience", "scanned", "cursor", "planned_all"])
        if plan.ask:  # the budget changed: the survey's preview and note are counted again
            transaction.on_commit(lambda: cache.delete(_budget_key(survey)))


def _send_pending(job: SurveySendJob) -> None:
    while True:
        with transaction.atomic():
            batch = list(
                job.recipients.select_for_update(skip_locked=True)
                .filter(status=RecipientStatus.PENDING)
                .order_by("id")[:SEND_BATCH]
            )
            if not batch:
                return
            SurveySendRecipient.objects.filter(id__in=[r.id for r in batch]).update(status=RecipientStatus.SENDING)
        _send_batch(job.survey, batch)


def _send_batch(survey: Survey, batch: list[SurveySendRecipient]) -> None:
    from accounts.models import Contact

    contacts = {
        c.id: c
        for c in Contact.objects.filter(id__in=[r.contact_id for r in batch]).values_list(
            "id", "email", "name", named=True
        )
    }
    deliveries = SurveyDelivery.objects.in_bulk([r.delivery_id for r in batch if r.delivery_id])
    sent: list[int] = []
    failed: dict[int, str] = {}
    try:
        with get_connection() as mail:
            for recipient in batch:
                contact, delivery = contacts.get(recipient.contact_id), deliveries.get(recipient.delivery_id)
                if contact is None or delivery is None or not contact.email:
                    failed[recipient.id] = "contact, delivery or address gone before sending"
                    continue
                message = survey_email_message(survey=survey, delivery=delivery, email=contact.email, name=contact.name)
                try:
                    mail.send_messages([message])
                except (smtplib.SMTPException, OSError) as exc:
                    # this one may or may not have left: never sent again; the rest go back to pending
                    failed[recipient.id] = f"{type(exc).__name__}: {exc}"[:255]
                    raise MailUnavailable(str(exc)) from exc
                sent.append(recipient.id)
    except MailUnavailable:
        raise
    except (smtplib.SMTPException, OSError) as exc:  # the connection could not be opened or closed
        raise MailUnavailable(str(exc)) from exc
    finally:
        now = timezone.now()
        SurveySendRecipient.objects.filter(id__in=sent).update(status=RecipientStatus.SENT, sent_at=now)
        for recipient_id, error in failed.items():
            SurveySendRecipient.objects.filter(id=recipient_id).update(status=RecipientStatus.FAILED, error=error)
        done = set(sent) | set(failed)
        SurveySendRecipient.objects.filter(
            id__in=[r.id for r in batch if r.id not in done], status=RecipientStatus.SENDING
        ).update(status=RecipientStatus.PENDING)


def _count(job_id: int) -> None:
    """The job's sent and failed totals, counted from its recipient rows (exact after a retry)."""
    counts = SurveySendRecipient.objects.filter(job_id=job_id).aggregate(
        sent=Count("id", filter=Q(status=RecipientStatus.SENT)),
        failed=Count("id", filter=Q(status__in=[RecipientStatus.FAILED, RecipientStatus.INTERRUPTED])),
    )
    SurveySendJob.objects.filter(id=job_id).update(sent=counts["sent"], failed=counts["failed"])
