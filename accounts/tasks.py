"""Celery tasks of the accounts floor: thin, ids in, the work is in the services."""

from celery import shared_task


@shared_task(acks_late=True)
def import_job_run_task(job_id: int) -> None:
    """Write a validated CSV import (accounts.imports.import_job_run); safe to run twice."""
    from accounts.imports import import_job_run

    import_job_run(job_id=job_id)


@shared_task(acks_late=True)
def account_base_mrr_refresh_task() -> int:
    """Nightly, before the health recompute: every account's MRR in the base currency at this
    month's rates (a new month brings new rates); safe to run twice."""
    from accounts.currency import account_base_mrr_refresh

    return account_base_mrr_refresh()


@shared_task(acks_late=True)
def reassignment_run_task(job_id: int) -> None:
    """Move a bulk reassignment's accounts (accounts.reassign.reassignment_run); resumes where
    a previous run stopped, a finished job is left alone."""
    from accounts.reassign import reassignment_run

    reassignment_run(job_id=job_id)
