"""Celery tasks of conversations: thin, ids in, the work in services; safe to run twice."""

from celery import shared_task


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
