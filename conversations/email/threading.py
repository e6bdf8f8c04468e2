"""Threads by Message-ID / In-Reply-To / References.

A thread owns every id its messages carry or refer to (`ThreadKey`). A new message joins the
thread that owns any of its ids; when its ids join two threads (a reply that arrived before its
parent made a thread of its own), the younger thread is merged into the older one. Runs inside
the ingest's transaction, so a message and its thread are written together or not at all.
"""

from __future__ import annotations

from datetime import datetime

from ..models import MailMessage, MailThread, ThreadKey
from .parse import message_id_key

__all__ = ["thread_for"]


def thread_for(*, ids: list[str], subject: str, sent_at: datetime, account_id: int | None = None) -> MailThread:
    """The thread a message with these Message-IDs (its own first, then those it refers to)
    belongs to, created or merged as needed; every id is recorded as the thread's key. A new
    thread starts on `account_id` (the message's match), when given."""
    keys = list(dict.fromkeys(message_id_key(i) for i in ids if i))
    owners = sorted(set(ThreadKey.objects.filter(key__in=keys).values_list("thread_id", flat=True)))
    if owners:
        thread = MailThread.objects.select_for_update().get(pk=owners[0])
        younger = owners[1:]
        if younger:
            if thread.account_id is None:
                adopted = MailThread.objects.filter(pk__in=younger, account__isnull=False).values_list(
                    "account_id", flat=True
                )
                thread.account_id = adopted.first()
                if thread.account_id is not None:
                    thread.save(update_fields=["account"])
            MailMessage.objects.filter(thread_id__in=younger).update(thread=thread)
            ThreadKey.objects.filter(thread_id__in=younger).update(thread=thread)
            MailThread.objects.filter(pk__in=younger).delete()
        changed = []
        if sent_at < thread.first_message_at:
            thread.first_message_at = sent_at
            changed.append("first_message_at")
        if sent_at > thread.last_message_at:
            thread.last_message_at = sent_at
            changed.append("last_message_at")
        if changed:
            thread.save(update_fields=changed)
    else:
        thread = MailThread.objects.create(
            subject=subject[:255], first_message_at=sent_at, last_message_at=sent_at, account_id=account_id
        )
    # keys another thread owned were moved above; the rest are new (a racing message's: ignored)
    ThreadKey.objects.bulk_create([ThreadKey(key=k, thread=thread) for k in keys], ignore_conflicts=True)
    return thread
