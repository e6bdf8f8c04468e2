from celery import shared_task


@shared_task(ignore_result=True)
def reports_refresh_task(as_of: str | None = None) -> None:
    """Nightly (CELERY_BEAT_SCHEDULE): rebuild the dashboards' pre-aggregates. Idempotent: each
    run replaces the rows for its day."""
    from datetime import date

    from reports.services import reports_refresh

    reports_refresh(as_of=date.fromisoformat(as_of) if as_of else None)
