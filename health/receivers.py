"""Refresh an account's health within a minute of news that matters (accounts' signals).
Cheap: a debounced queue per account, the work happens in Celery after commit."""

from django.db import transaction
from django.dispatch import receiver

from accounts.signals import payment_changed, subscription_changed, ticket_changed
from usage.signals import events_ingested

from .services import account_health_refresh_soon


@receiver(events_ingested, dispatch_uid="health_events_ingested")
def on_events_ingested(sender, account_ids=(), **kwargs):
    """One batch of events can touch thousands of accounts: they travel to the worker in ONE
    task (accounts_health_refresh_soon_task), which debounces them there. The request that
    stored the batch pays one queued message, not a cache round trip per account (two cache
    calls over 2,000 keys cost an ingest request ~15 ms, a sixth of it; docs/decisions.md
    "Ingest: the bulk body decoded by msgspec")."""
    ids = sorted(set(account_ids or ()))
    if not ids:
        return
    from .tasks import accounts_health_refresh_soon_task

    transaction.on_commit(lambda: accounts_health_refresh_soon_task.delay(ids))


@receiver(subscription_changed, dispatch_uid="health_subscription_changed")
def on_subscription_changed(sender, account_id=None, **kwargs):
    if account_id:
        account_health_refresh_soon(account_id=account_id)


@receiver(payment_changed, dispatch_uid="health_payment_changed")
@receiver(ticket_changed, dispatch_uid="health_ticket_changed")
def on_ticket_changed(sender, account_id=None, **kwargs):
    if account_id:
        account_health_refresh_soon(account_id=account_id)
