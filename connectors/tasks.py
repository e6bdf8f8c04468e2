"""Celery tasks of the connectors app: thin (ids in, a service does the work, safe twice)."""

from celery import shared_task


@shared_task(acks_late=True)
def sync_run_task(run_id: int) -> None:
    from .choices import RunStatus
    from .models import SyncRun
    from .sync import sync_run_execute

    run = SyncRun.objects.select_related("connection").filter(pk=run_id, status=RunStatus.QUEUED).first()
    if run is not None:  # a run already started or done is left alone
        sync_run_execute(run=run)


@shared_task
def connections_due_task() -> None:
    """Each minute (beat): start the connections' scheduled incremental runs that are due."""
    from .services import connections_due

    connections_due()
