from celery import shared_task


@shared_task(ignore_result=True)
def reports_refresh_task(as_of: str | None = None) -> None:
    """Nightly (CELERY_BEAT_SCHEDULE), and a few minutes after a change (reports.receivers):
    rebuild the dashboards' pre-aggregates. Idempotent: each run replaces the rows for its day."""
    from datetime import date

    from core.deferral import release
    from reports.receivers import REFRESH_KEY
    from reports.services import reports_refresh

    release(REFRESH_KEY)  # a change from now on queues the next refresh
    reports_refresh(as_of=date.fromisoformat(as_of) if as_of else None)
