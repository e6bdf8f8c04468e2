"""Celery tasks of the usage floor: thin, ids in, the work is in the services."""

from celery import shared_task


# The name it had in accounts: messages queued before the move still find it.
@shared_task(name="accounts.tasks.usage_rollup_refresh_task", acks_late=True, ignore_result=True)
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


@shared_task(bind=True, acks_late=True)
def usage_rollups_pending_task(self) -> int:
    """Refresh the daily rollups of every (account, day) the batches since the last run touched
    (usage.ingest.notify): one run for many batches."""
    from usage.ingest.notify import ROLLUP_DELAY_SECONDS, RollupsBusy, usage_rollups_pending_refresh

    try:
        return usage_rollups_pending_refresh(task_id=self.request.id or "inline")
    except RollupsBusy as exc:
        raise self.retry(exc=exc, countdown=ROLLUP_DELAY_SECONDS, max_retries=None) from exc


@shared_task(acks_late=True, ignore_result=True)
def contacts_seen_update_task(latest: dict[str, str]) -> None:
    """Move these contacts' last_seen_at forward to these times ({contact id: ISO time});
    never back, so a retry or a late task changes nothing (usage.tracking.contacts_seen_soon)."""
    from datetime import datetime

    from usage.sql.contacts import contacts_seen_update

    contacts_seen_update({int(pk): datetime.fromisoformat(at) for pk, at in latest.items()})


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
