"""Celery tasks of the usage floor: thin, ids in, the work is in the services."""

from celery import shared_task


# The name it had in accounts: messages queued before the move still find it.
@shared_task(name="accounts.tasks.usage_rollup_refresh_task", acks_late=True)
def usage_rollup_refresh_task(pairs: dict[str, list[int]] | list[list]) -> int:
    """Recompute the daily usage rollups of these (account, day) pairs (idempotent): given as
    {"YYYY-MM-DD": [account ids]} (what ingestion queues: compact for thousands of accounts)
    or as [[account_id, "YYYY-MM-DD"], ...]."""
    from datetime import date

    from usage.rollups import usage_rollup_refresh

    if isinstance(pairs, dict):
        expanded = [(int(a), date.fromisoformat(d)) for d, ids in pairs.items() for a in ids]
    else:
        expanded = [(int(a), date.fromisoformat(d)) for a, d in pairs]
    return usage_rollup_refresh(pairs=expanded)


@shared_task
def usage_partitions_maintain_task() -> dict[str, list[str]]:
    """Nightly (beat): next months' partitions made ahead, months older than
    USAGE_EVENTS_KEEP_MONTHS detached (PostgreSQL; nothing elsewhere)."""
    from django.conf import settings
    from django.utils import timezone

    from usage.sql.partitions import usage_partitions_maintain

    return usage_partitions_maintain(
        today=timezone.now().date(),
        ahead=settings.USAGE_PARTITIONS_AHEAD,
        keep_months=settings.USAGE_EVENTS_KEEP_MONTHS,
    )
