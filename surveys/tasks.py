from celery import shared_task
from django.utils.translation import gettext as _


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def responses_followup_task() -> int:
    from core.deferral import release

    from .services import FOLLOWUP_KEY, responses_followup

    release(FOLLOWUP_KEY)  # answers from now on queue the next sweep
    return responses_followup()


@shared_task
def survey_send_task(survey_id: int, contact_ids: list[int]) -> dict:
    """Email a survey to these contacts (the audience, fatigue and drip rules apply)."""
    from .models import Survey
    from .services import survey_send

    survey = Survey.objects.filter(id=survey_id).first()
    if survey is None:
        return {}
    return survey_send(survey=survey, contact_ids=contact_ids)


@shared_task(bind=True, acks_late=True, max_retries=5)
def survey_send_job_task(self, job_id: int) -> None:
    """One step of an "Email the audience" job (surveys.sending); queues the next step while
    there is more to do. A mail server that stays unreachable through the retries (or at once in
    the embedded mode, where a retry cannot wait) fails the job; an admin can resume it."""
    from .sending import MailUnavailable, send_job_fail, send_job_step

    try:
        more = send_job_step(job_id=job_id)
    except MailUnavailable as exc:
        if self.request.is_eager or self.request.retries >= self.max_retries:
            send_job_fail(job_id=job_id, error=_("The mail server could not be reached: %(error)s") % {"error": exc})
            return
        raise self.retry(exc=exc, countdown=min(600, 30 * 2**self.request.retries)) from exc
    if more:
        survey_send_job_task.delay(job_id)


@shared_task(acks_late=True)
def survey_send_preview_task(survey_id: int, run: str) -> None:
    """Count "Email the audience" of a survey in the background (surveys.preview_count).
    Idempotent: a run no longer current, or already counted, does nothing."""
    from .preview_count import survey_preview_count

    survey_preview_count(survey_id=survey_id, run=run)


@shared_task(acks_late=True)
def themes_compute_task(run: str | None = None) -> int | None:
    """Recompute the theme tags (surveys.theme_runs: progress for run `run`; a duplicate or
    replaced run does nothing)."""
    from .theme_runs import themes_run_execute

    return themes_run_execute(run=run)


@shared_task(acks_late=True, ignore_result=True)
def survey_days_refresh_task(days: list[str]) -> int:
    """Store the report's days again after an import changed them (ISO dates)."""
    from datetime import date

    from .rollups import survey_days_refresh

    return survey_days_refresh(days=[date.fromisoformat(d) for d in days])


@shared_task(acks_late=True)
def survey_days_rebuild_task() -> int:
    """Nightly (CELERY_BEAT_SCHEDULE): the report's pre-aggregate again, with the accounts'
    current segment, tier and owner. Idempotent: it replaces every row."""
    from .rollups import survey_days_rebuild

    return survey_days_rebuild()
