"""Refresh an account's health within a minute of news that matters (accounts' signals).
Cheap: a debounced queue per account, the work happens in Celery after commit."""

from django.dispatch import receiver

from accounts.signals import events_ingested, subscription_changed, ticket_changed

from .services import account_health_refresh_soon


@receiver(events_ingested, dispatch_uid="health_events_ingested")
def on_events_ingested(sender, account_ids=(), **kwargs):
    for account_id in set(account_ids or ()):
        account_health_refresh_soon(account_id=account_id)


@receiver(subscription_changed, dispatch_uid="health_subscription_changed")
def on_subscription_changed(sender, account_id=None, **kwargs):
    if account_id:
        account_health_refresh_soon(account_id=account_id)


@receiver(ticket_changed, dispatch_uid="health_ticket_changed")
def on_ticket_changed(sender, account_id=None, **kwargs):
    if account_id:
        account_health_refresh_soon(account_id=account_id)
