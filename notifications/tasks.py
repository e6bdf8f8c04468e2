"""Celery tasks of the notifications floor: thin, ids in, the work is in the services; each is
safe to run twice (the unique keys and the claimed rows make a repeat do nothing)."""

from datetime import date

from celery import shared_task


@shared_task(acks_late=True)
def tasks_assigned_notify_task(task_ids: list[int], actor_id: int | None = None) -> int:
    from .services import tasks_assigned_notify

    return len(tasks_assigned_notify(task_ids=task_ids, actor_id=actor_id))


@shared_task(acks_late=True)
def mentions_notify_task(activity_id: int, author_id: int | None, user_ids: list[int]) -> int:
    from .services import mentions_notify

    return len(mentions_notify(activity_id=activity_id, author_id=author_id, user_ids=user_ids))


@shared_task(acks_late=True)
def key_account_red_notify_task(account_id: int, day: str, old_score: int | None, new_score: int | None) -> int:
    from .services import key_account_red_notify

    made = key_account_red_notify(
        account_id=account_id, day=date.fromisoformat(day), old_score=old_score, new_score=new_score
    )
    return len(made)


@shared_task(acks_late=True)
def renewals_notify_task(today: str | None = None) -> int:
    from .services import renewals_notify

    return len(renewals_notify(today=date.fromisoformat(today) if today else None))


@shared_task(acks_late=True)
def notifications_email_task(notification_ids: list[int]) -> int:
    from .services import notifications_email_send

    return notifications_email_send(notification_ids=notification_ids)


@shared_task(acks_late=True)
def digests_send_task() -> int:
    """The 15-minute sweep: every user whose local morning has come and who has no digest today."""
    from .services import digests_send

    return digests_send().sent
