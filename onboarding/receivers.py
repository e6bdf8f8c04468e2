"""Receivers for news from the floors below. They only queue work after the commit."""

from django.db import transaction
from django.dispatch import receiver

from usage.signals import events_ingested

# Events of an account within this many seconds are applied in one run: at 500 events/s in
# batches of 250 (make soak) one run a batch cost the workers more than their time.
EVENTS_DELAY_SECONDS = 5


def events_key(account_id: int) -> str:
    """The deferral key of an account's event apply (released when the run starts)."""
    return f"onboarding:events:{account_id}"


@receiver(events_ingested, dispatch_uid="onboarding.events_ingested")
def on_events_ingested(sender, account_ids=None, **kwargs) -> None:
    if not account_ids:
        return
    ids = sorted(set(account_ids))

    def queue() -> None:
        from core.deferral import claim_many

        from .tasks import onboarding_events_apply_task

        # The accounts not already waiting for a run, in one run EVENTS_DELAY_SECONDS later (two
        # cache round trips a batch; a racing batch may queue an account twice: idempotent).
        keys = {events_key(a): a for a in ids}
        claimed = [keys[k] for k in claim_many(keys, timeout=EVENTS_DELAY_SECONDS + 60)]
        if claimed:
            onboarding_events_apply_task.apply_async(kwargs={"account_ids": claimed}, countdown=EVENTS_DELAY_SECONDS)

    transaction.on_commit(queue)
