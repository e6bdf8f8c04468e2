"""After a batch commits: the daily rollups of the touched (account, day) pairs are refreshed
by a Celery task (inline in the embedded mode)."""

from collections.abc import Iterable, Mapping
from datetime import date

from django.db import transaction


def _refresh_rollups_soon(pairs: set[tuple[int, date]]) -> None:
    """Queue the daily-rollup refresh of these (account id, UTC day) pairs for after commit."""
    by_day: dict[date, list[int]] = {}
    for account_id, day in pairs:
        by_day.setdefault(day, []).append(account_id)
    _refresh_rollups_by_day(by_day)


def _refresh_rollups_by_day(by_day: Mapping[date, Iterable[int]] | Mapping[str, Iterable[int]]) -> None:
    """Queue the daily-rollup refresh of these accounts on these UTC days (dates or ISO days)
    for after commit (inline in the embedded mode, a worker in production): the batch is
    answered once its events are durable, and the derived rollups follow within seconds
    (docs/decisions.md "Usage events table")."""
    from ..tasks import usage_rollup_refresh_task

    if not by_day:
        return
    payload = {str(day): sorted(ids) for day, ids in sorted(by_day.items())}
    transaction.on_commit(lambda: usage_rollup_refresh_task.delay(payload))
