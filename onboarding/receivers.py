"""Receivers for news from the floors below. They only queue work after the commit."""

from django.db import transaction
from django.dispatch import receiver

from usage.signals import events_ingested


@receiver(events_ingested, dispatch_uid="onboarding.events_ingested")
def on_events_ingested(sender, account_ids=None, **kwargs) -> None:
    if not account_ids:
        return
    ids = sorted(set(account_ids))

    def queue() -> None:
        from .tasks import onboarding_events_apply_task

        onboarding_events_apply_task.delay(account_ids=ids)

    transaction.on_commit(queue)
