"""The report's theme tags on demand: a recompute queued after commit (the work is
`surveys.themes.themes_compute`, in Celery, never in a request)."""

from django.db import transaction

__all__ = ["themes_recompute_queue"]


def themes_recompute_queue() -> None:
    """Queue a recompute of every theme tag once the current transaction commits."""
    from ..tasks import themes_compute_task

    transaction.on_commit(themes_compute_task.delay)
