"""Receivers for the news of the floors below (playbooks, accounts, health). Each only queues a
Celery task after commit; the notifications are made there."""

from django.db import transaction
from django.dispatch import receiver

from accounts.choices import HealthBand
from accounts.signals import note_created
from health.signals import band_changed
from playbooks.signals import task_assigned


@receiver(task_assigned, dispatch_uid="notifications.task_assigned")
def on_task_assigned(sender, *, task_ids, actor_id=None, **kwargs):
    from .tasks import tasks_assigned_notify_task

    ids = list(task_ids)
    transaction.on_commit(lambda: tasks_assigned_notify_task.delay(ids, actor_id))


@receiver(note_created, dispatch_uid="notifications.note_created")
def on_note_created(sender, *, activity_id, author_id=None, mentioned_user_ids=(), **kwargs):
    if not mentioned_user_ids:
        return
    from .tasks import mentions_notify_task

    ids = list(mentioned_user_ids)
    transaction.on_commit(lambda: mentions_notify_task.delay(activity_id, author_id, ids))


@receiver(band_changed, dispatch_uid="notifications.band_changed")
def on_band_changed(
    sender, *, account_id, old_band=None, new_band=None, old_score=None, new_score=None, day=None, **kwargs
):
    """A measured move into red (a CSM's own override is not news to tell them)."""
    if new_band != HealthBand.RED or old_band == HealthBand.RED or kwargs.get("is_override") or day is None:
        return
    from .tasks import key_account_red_notify_task

    day_iso = day.isoformat()
    transaction.on_commit(lambda: key_account_red_notify_task.delay(account_id, day_iso, old_score, new_score))
