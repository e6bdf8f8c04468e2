"""What renewals does with news from the floors below (connected in RenewalsConfig.ready()).
Each receiver only queues a Celery task after commit."""

from django.db import transaction
from django.dispatch import receiver

from accounts.signals import subscription_changed
from core.deferral import queue_once

from .services.reasons import LOSS_CHANGES

SWEEP_DELAY_SECONDS = 30


@receiver(subscription_changed, dispatch_uid="renewals.subscription_changed.sweep")
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


@receiver(subscription_changed, dispatch_uid="renewals.subscription_changed.reasons")
def on_subscription_lost(sender, *, subscription_id=None, change=None, previous=None, **kwargs):
    """A cancellation or a downgrade: after commit, ask for its reason unless it came with one."""
    if subscription_id is None or change not in LOSS_CHANGES:
        return
    from .tasks import reason_prompt_open_task

    previous = dict(previous or {})
    transaction.on_commit(lambda: reason_prompt_open_task.delay(subscription_id, change, previous))
