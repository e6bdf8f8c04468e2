"""Receivers for the news the floors below send (health, surveys, accounts). Each only queues
a Celery task after commit; the evaluation happens there, within a minute of the event."""

from django.db import transaction
from django.dispatch import receiver

from accounts.signals import payment_changed, subscription_changed
from health.signals import band_changed, override_ended, scores_recomputed
from surveys.signals import response_recorded

from .triggers import EVENT_BAND_CHANGED, EVENT_PAYMENT_CHANGED, EVENT_RESPONSE_RECORDED, EVENT_SUBSCRIPTION_CHANGED

# A health refresh's accounts are evaluated within this many seconds, each once however many
# refreshes score it meanwhile (make soak: one evaluation per refresh queued ~100 behind the workers).
EVALUATE_DELAY_SECONDS = 5


def evaluate_key(as_of: str | None, account_id: int) -> str:
    """The deferral key of an account's gathered evaluation (released when the run starts)."""
    return f"playbooks:evaluate:{as_of}:{account_id}"


def _queue_event(event: dict) -> None:
    from .tasks import playbooks_event_task

    transaction.on_commit(lambda: playbooks_event_task.delay(event))


@receiver(band_changed, dispatch_uid="playbooks.band_changed")
def on_band_changed(
    sender,
    *,
    account_id,
    old_band=None,
    new_band=None,
    old_score=None,
    new_score=None,
    day=None,
    is_override=False,
    **kwargs,
):
    _queue_event(
        {
            "event": EVENT_BAND_CHANGED,
            "account_id": account_id,
            "old_band": old_band,
            "new_band": new_band,
            "old_score": old_score,
            "new_score": new_score,
            "day": day.isoformat() if day else None,
            "is_override": bool(is_override),
        }
    )


@receiver(override_ended, dispatch_uid="playbooks.override_ended")
def on_override_ended(sender, *, override_id, **kwargs):
    """A CSM's health override ended: undo the stage changes it made a playbook take."""
    from .tasks import override_stage_restore_task

    transaction.on_commit(lambda: override_stage_restore_task.delay(override_id))


@receiver(response_recorded, dispatch_uid="playbooks.response_recorded")
def on_response_recorded(sender, *, account_id=None, response_id=None, **kwargs):
    if account_id:
        _queue_event({"event": EVENT_RESPONSE_RECORDED, "account_id": account_id, "response_id": response_id})


@receiver(subscription_changed, dispatch_uid="playbooks.subscription_changed")
def on_subscription_changed(sender, *, account_id, subscription_id=None, change=None, **kwargs):
    _queue_event(
        {
            "event": EVENT_SUBSCRIPTION_CHANGED,
            "account_id": account_id,
            "subscription_id": subscription_id,
            "change": change,
        }
    )


@receiver(payment_changed, dispatch_uid="playbooks.payment_changed")
def on_payment_changed(sender, *, account_id, failure_id=None, change=None, **kwargs):
    if change == "failed":
        _queue_event(
            {"event": EVENT_PAYMENT_CHANGED, "account_id": account_id, "failure_id": failure_id, "change": change}
        )


@receiver(scores_recomputed, dispatch_uid="playbooks.scores_recomputed")
def on_scores_recomputed(sender, *, account_ids=None, day=None, **kwargs):
    """Nightly: the health recompute is done, run every playbook (health chains into us).
    A backfill of past days (recompute_health --backfill) is history, not news: ignored."""
    from datetime import timedelta

    from django.utils import timezone

    from .tasks import playbooks_evaluate_task

    if day is not None and day < timezone.now().date() - timedelta(days=1):
        return
    from .tasks import MAX_IDS_PER_RUN

    as_of = day.isoformat() if day else None
    ids = list(account_ids) if account_ids is not None else None
    if ids is not None and len(ids) > MAX_IDS_PER_RUN:
        ids = None  # the whole book: keep the Celery message small
    if ids is None:
        transaction.on_commit(lambda: playbooks_evaluate_task.delay(as_of, None, "nightly"))
        return

    def queue() -> None:
        from core.deferral import claim_many

        # The accounts not already waiting for a run, in one run EVALUATE_DELAY_SECONDS later (two
        # cache round trips; a racing refresh may queue an account twice: enrolment keys make
        # the second run do nothing).
        keys = {evaluate_key(as_of, a): a for a in sorted(set(ids))}
        claimed = [keys[k] for k in claim_many(keys, timeout=EVALUATE_DELAY_SECONDS + 60)]
        if claimed:
            playbooks_evaluate_task.apply_async(args=[as_of, claimed, "nightly"], countdown=EVALUATE_DELAY_SECONDS)

    transaction.on_commit(queue)
