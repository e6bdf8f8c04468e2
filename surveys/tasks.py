from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def response_followup_task(response_id: int, created: bool) -> None:
    from .services import response_followup

    response_followup(response_id=response_id, created=created)


@shared_task
def survey_send_task(survey_id: int, contact_ids: list[int]) -> dict:
    from .models import Survey
    from .services import survey_send

    survey = Survey.objects.filter(id=survey_id).first()
    if survey is None:
        return {}
    return survey_send(survey=survey, contact_ids=contact_ids)


@shared_task
def themes_compute_task() -> int:
    from .themes import themes_compute

    return themes_compute()
