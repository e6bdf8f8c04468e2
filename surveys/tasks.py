from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def responses_followup_task() -> int:
    from django.core.cache import cache

    from .services import FOLLOWUP_KEY, responses_followup

    cache.delete(FOLLOWUP_KEY)  # answers from now on queue the next sweep
    return responses_followup()


@shared_task
def survey_send_task(survey_id: int, contact_ids: list[int] | None = None) -> dict:
    """Email a survey to these contacts, or (None) to its whole audience."""
    from .models import Survey
    from .services import survey_send, survey_send_audience

    survey = Survey.objects.filter(id=survey_id).first()
    if survey is None:
        return {}
    if contact_ids is None:
        return survey_send_audience(survey=survey)
    return survey_send(survey=survey, contact_ids=contact_ids)


@shared_task
def themes_compute_task() -> int:
    from .themes import themes_compute

    return themes_compute()


@shared_task(acks_late=True)
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
