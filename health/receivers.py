"""Refresh an account's health within a minute of news that matters (accounts' signals).
Cheap: a debounced queue per account, the work happens in Celery after commit."""

from django.core.cache import cache
from django.db import transaction
from django.dispatch import receiver

from accounts.signals import events_ingested, subscription_changed, ticket_changed

from .services import REFRESH_DELAY_SECONDS, account_health_refresh_soon


@receiver(events_ingested, dispatch_uid="health_events_ingested")
def on_events_ingested(sender, account_ids=(), **kwargs):
    """One batch of events can touch thousands of accounts: the ones not already queued go
    in ONE task (same debounce keys as account_health_refresh_soon), not a task each. Two
    cache round trips per batch, not one per account: a batch racing this one may queue some
    of the same accounts again, which costs one idempotent recompute, never a wrong score."""
    keys = {f"health:refresh:{a}": a for a in sorted(set(account_ids or ()))}
    if not keys:
        return
    queued = cache.get_many(list(keys))
    ids = [a for key, a in keys.items() if key not in queued]
    if ids:
        cache.set_many({f"health:refresh:{a}": 1 for a in ids}, REFRESH_DELAY_SECONDS + 60)
        from .tasks import accounts_health_refresh_task

        transaction.on_commit(
            lambda: accounts_health_refresh_task.apply_async(args=[ids], countdown=REFRESH_DELAY_SECONDS)
        )


@receiver(subscription_changed, dispatch_uid="health_subscription_changed")
def on_subscription_changed(sender, account_id=None, **kwargs):
    if account_id:
        account_health_refresh_soon(account_id=account_id)


@receiver(ticket_changed, dispatch_uid="health_ticket_changed")
def on_ticket_changed(sender, account_id=None, **kwargs):
    if account_id:
        account_health_refresh_soon(account_id=account_id)
