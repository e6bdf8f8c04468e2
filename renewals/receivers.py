"""Receivers for the news the floors below send. Each only queues a Celery task after commit."""

from django.dispatch import receiver

from accounts.signals import subscription_changed
from core.deferral import queue_once

SWEEP_DELAY_SECONDS = 30


@receiver(subscription_changed, dispatch_uid="renewals.subscription_changed")
def on_subscription_changed(sender, *, account_id=None, **kwargs):
    """A subscription was created, changed, renewed or cancelled: sweep that account's
    renewals soon (once for a burst of changes)."""
    if not account_id:
        return
    from .tasks import renewals_account_sweep_task

    queue_once(
        f"renewals:sweep:{account_id}",
        renewals_account_sweep_task,
        args=[account_id],
        countdown=SWEEP_DELAY_SECONDS,
    )
