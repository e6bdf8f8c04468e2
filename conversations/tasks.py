"""Celery tasks: thin; ids in, the work in conversations.connections."""

from __future__ import annotations

from celery import shared_task

from .remote import RateLimited


@shared_task(bind=True, max_retries=5)
def connection_sync_task(self, connection_id: int) -> None:
    from .connections import connection_sync
    from .models import ConnectedAccount

    connection = ConnectedAccount.objects.filter(pk=connection_id).first()
    if connection is None:
        return
    try:
        connection_sync(connection=connection)
    except RateLimited as exc:  # the provider asked us to come back later: the cursor is kept
        if self.request.is_eager:  # embedded mode: no queue to come back through; the next beat will
            return
        raise self.retry(countdown=max(1, int(exc.retry_after)), exc=exc) from exc


@shared_task
def connections_sync_task() -> None:
    from .calendars.store import meetings_due_to_timeline
    from .connections import connections_to_sync

    for connection_id in connections_to_sync():
        connection_sync_task.delay(connection_id)
    meetings_due_to_timeline()
