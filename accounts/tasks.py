"""Celery tasks of the accounts floor: thin, ids in, the work is in the services."""

from celery import shared_task


@shared_task(acks_late=True)
def import_job_run_task(job_id: int) -> None:
    """Write a validated CSV import (accounts.imports.import_job_run); safe to run twice."""
    from accounts.imports import import_job_run

    import_job_run(job_id=job_id)


@shared_task(acks_late=True)
def usage_rollup_refresh_task(pairs: dict[str, list[int]] | list[list]) -> int:
    """Recompute the daily usage rollups of these (account, day) pairs (idempotent): given as
    {"YYYY-MM-DD": [account ids]} (what ingestion queues: compact for thousands of accounts)
    or as [[account_id, "YYYY-MM-DD"], ...]."""
    from datetime import date

    from accounts.rollups import usage_rollup_refresh

    if isinstance(pairs, dict):
        expanded = [(int(a), date.fromisoformat(d)) for d, ids in pairs.items() for a in ids]
    else:
        expanded = [(int(a), date.fromisoformat(d)) for a, d in pairs]
    return usage_rollup_refresh(pairs=expanded)
