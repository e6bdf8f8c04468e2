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
