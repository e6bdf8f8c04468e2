"""Celery tasks of conversations: thin, ids in, the work in services; safe to run twice."""

from celery import shared_task

from .remote import RateLimited


@shared_task(acks_late=True)
def imap_poll_task(mailbox_id: int) -> int:
    """Poll one IMAP mailbox (a UID cursor: a repeat fetches nothing twice)."""
    from .email.imap import imap_poll

    return imap_poll(mailbox_id=mailbox_id).stored


@shared_task(acks_late=True)
def imap_poll_all_task() -> int:
    """Every five minutes (CELERY_BEAT_SCHEDULE): one poll task per enabled mailbox."""
    from .models import ImapMailbox

    ids = list(ImapMailbox.objects.filter(enabled=True).values_list("pk", flat=True))
    for mailbox_id in ids:
        imap_poll_task.delay(mailbox_id)
    return len(ids)


# Section: connected mailboxes and calendars (h8)
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
