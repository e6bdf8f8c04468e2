"""The "Email the audience" job (writes): created on confirmation, stepped by a Celery task one
chunk of the audience at a time (plan, then e-mail the pending recipients in claimed batches),
failed when the mail server stays unreachable, resumed by an admin (see the package docstring)."""

import smtplib
from collections import Counter
from datetime import datetime

from django.core.cache import cache
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from ..choices import Channel, RecipientStatus, SendJobStatus, TouchKind
from ..fatigue import fatigue_record_many
from ..models import Survey, SurveyDelivery, SurveySendJob, SurveySendRecipient
from ..wording import survey_language
from .message import survey_email_message
from .plan import ChunkPlan, _audience_chunk, _audience_queryset, _plan_chunk
from .preview import _budget_key

__all__ = [
    "PLAN_CHUNK",
    "SEND_BATCH",
    "MailUnavailable",
    "SendInProgress",
    "send_job_create",
    "send_job_fail",
    "send_job_resume",
    "send_job_step",
]

PLAN_CHUNK = 2000  # contacts planned per step
SEND_BATCH = 100  # e-mails claimed at a time


class MailUnavailable(Exception):
    """The mail server could not be reached or refused to talk: retry the step later."""


class SendInProgress(Exception):
    """The survey already has a send job queued or running (`job`)."""

    def __init__(self, job: SurveySendJob):
        super().__init__(f"send job {job.id} is already {job.status}")
        self.job = job


def send_job_create(*, survey: Survey, created_by=None, now: datetime | None = None) -> SurveySendJob:
    """Queue "Email the audience" for `survey`. Raises SendInProgress when a send of this
    survey is already queued or running (a second click starts nothing)."""
    from ..tasks import survey_send_job_task

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
    from ..tasks import survey_send_job_task

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
    from ..services.audience import _drip_left

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
