"""What renewals does with news from the floors below (connected in RenewalsConfig.ready())."""

from django.db import transaction
from django.dispatch import receiver

from accounts.signals import subscription_changed

from .services.reasons import LOSS_CHANGES


@receiver(subscription_changed, dispatch_uid="renewals.subscription_changed")
def on_subscription_changed(sender, *, subscription_id=None, change=None, previous=None, **kwargs):
    """A cancellation or a downgrade: after commit, ask for its reason unless it came with one."""
    if subscription_id is None or change not in LOSS_CHANGES:
        return
    from .tasks import reason_prompt_open_task

    previous = dict(previous or {})
    transaction.on_commit(lambda: reason_prompt_open_task.delay(subscription_id, change, previous))
