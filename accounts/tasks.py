"""Celery tasks of the accounts floor: thin, ids in, the work is in the services."""

from celery import shared_task


@shared_task(acks_late=True)
def import_job_run_task(job_id: int) -> None:
    """Write a validated CSV import (accounts.imports.import_job_run); safe to run twice."""
    from accounts.imports import import_job_run

    import_job_run(job_id=job_id)
