"""Writes for tasks: complete, snooze, reassign (one or in bulk), cancel those of churned
accounts, reopen the snoozed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import account_work_check
from accounts.choices import ActivityKind
from core.choices import Role
from core.models import User

from ..choices import OPEN_STATUSES, TaskStatus
from ..models import Playbook, Task
from ..signals import task_assigned

__all__ = [
    "CHURNED_NOTE",
    "task_complete",
    "task_reassign",
    "task_reopen_snoozed",
    "task_snooze",
    "tasks_assigned_announce",
    "tasks_bulk",
    "tasks_cancel_churned",
]


def _require_worker(user, task: Task | None = None) -> None:
    """A CSM or above; with `task`, one who may work it (its assignee, or a writer of its
    account: accounts.access)."""
    if not (user is not None and user.is_authenticated and user.has_role(Role.CSM)):
        raise PermissionDenied(_("Read-only users cannot change tasks."))
    if task is not None:
        account_work_check(user, task.account, assignee_id=task.assignee_id)


@transaction.atomic
def task_complete(*, task: Task, user, outcome_note: str) -> Task:
    """Mark done with an outcome note; the note lands on the account's timeline (a task
    activity). Completing a done task again changes nothing."""
    from accounts.services import activity_create

    _require_worker(user, task)
    note = (outcome_note or "").strip()
    if not note:
        raise ValidationError({"outcome_note": _("Say what happened (the note goes on the account's timeline).")})
    task = Task.objects.select_for_update(of=("self",)).select_related("account", "playbook").get(pk=task.pk)
    if task.status == TaskStatus.DONE:
        return task
    if task.status == TaskStatus.CANCELLED:
        raise ValidationError({"status": _("This task was cancelled (%(note)s).") % {"note": task.outcome_note}})
    now = timezone.now()
    task.status = TaskStatus.DONE
    task.snoozed_until = None
    task.outcome_note = note
    task.completed_at = now
    task.completed_by = user
    task.save(update_fields=["status", "snoozed_until", "outcome_note", "completed_at", "completed_by", "updated_at"])
    body = note
    if task.reason:
        body += f"\n\nWhy: {task.reason}"
    activity_create(
        account=task.account,
        kind=ActivityKind.TASK,
        author=user,
        subject=f"Task done: {task.title}",
        body=body,
        occurred_at=now,
        metadata={"task_id": task.pk, "playbook_id": task.playbook_id},
    )
    return task


def task_snooze(*, task: Task, user, until: date) -> Task:
    _require_worker(user, task)
    today = timezone.now().date()
    if until <= today:
        raise ValidationError({"until": _("Snooze until a day after today.")})
    if until > today + timedelta(days=365):
        raise ValidationError({"until": _("Snooze for at most a year.")})
    updated = Task.objects.filter(pk=task.pk, status__in=OPEN_STATUSES).update(
        status=TaskStatus.SNOOZED, snoozed_until=until, updated_at=timezone.now()
    )
    if not updated:
        raise ValidationError({"status": _("A done or cancelled task cannot be snoozed.")})
    task.refresh_from_db()
    return task


def task_reassign(*, task: Task, user, assignee: User, notify: bool = True) -> Task:
    """Give the task to `assignee`; `task_assigned` goes out after commit when it changed hands
    (`notify=False`: the caller sends one signal for a batch)."""
    _require_worker(user, task)
    if not (assignee.is_active and assignee.has_role(Role.CSM)):
        raise ValidationError({"assignee": _("Assign to an active CSM, manager or admin.")})
    changed = task.assignee_id != assignee.pk
    Task.objects.filter(pk=task.pk).update(assignee=assignee, updated_at=timezone.now())
    task.assignee = assignee
    if changed and notify:
        tasks_assigned_announce(task_ids=[task.pk], actor=user)
    return task


def tasks_assigned_announce(*, task_ids: list[int], actor=None) -> None:
    """Send `playbooks.signals.task_assigned` for these tasks once the transaction commits."""
    if not task_ids:
        return
    ids = list(task_ids)
    actor_id = actor.pk if actor is not None else None
    transaction.on_commit(lambda: task_assigned.send(sender=Task, task_ids=ids, actor_id=actor_id))


def tasks_bulk(
    *,
    task_ids: Iterable[int],
    user,
    action: str,
    outcome_note: str = "",
    until: date | None = None,
    assignee: User | None = None,
) -> dict:
    """Apply one action to many tasks; per-task errors are reported, not raised.
    Returns {"done": n, "errors": {task_id: message}}."""
    _require_worker(user)
    tasks = list(Task.objects.filter(pk__in=list(task_ids)).select_related("account"))
    if action not in ("complete", "snooze", "reassign"):
        raise ValidationError({"action": _("Choose complete, snooze or reassign.")})
    if action == "complete" and not (outcome_note or "").strip():
        raise ValidationError({"outcome_note": _("Say what happened (the note goes on each account's timeline).")})
    if action == "snooze" and until is None:
        raise ValidationError({"until": _("Choose a day.")})
    if action == "reassign" and assignee is None:
        raise ValidationError({"assignee": _("Choose someone.")})
    done, errors, reassigned = 0, {}, []
    for task in tasks:
        try:
            if action == "complete":
                task_complete(task=task, user=user, outcome_note=outcome_note)
            elif action == "snooze" and until is not None:  # checked above
                task_snooze(task=task, user=user, until=until)
            elif assignee is not None:  # reassign, checked above
                if task.assignee_id != assignee.pk:
                    reassigned.append(task.pk)
                task_reassign(task=task, user=user, assignee=assignee, notify=False)
            done += 1
        except ValidationError as exc:
            errors[task.pk] = " ".join(exc.messages)
        except PermissionDenied as exc:
            errors[task.pk] = str(exc)
    tasks_assigned_announce(task_ids=reassigned, actor=user)  # one signal for the batch
    return {"done": done, "errors": errors}


CHURNED_NOTE = "Cancelled: the account churned."


@transaction.atomic
def tasks_cancel_churned(*, account_ids: Iterable[int] | None = None) -> int:
    """Cancel the open and snoozed tasks of churned accounts (lifecycle stage Churned), all of
    them or those of `account_ids`, except the tasks of playbooks that handle churn (win-back,
    exit interview: `Playbook.handles_churn`) and tasks whose signal says `handles_churn`. Each
    task keeps why in its outcome note; each
    account gets one timeline entry listing them. Returns how many tasks were cancelled.
    A constant number of queries plus one timeline write per account concerned."""
    from accounts.choices import LifecycleStage
    from accounts.models import Account
    from accounts.services import activity_create

    keep = [
        p.pk
        for p in Playbook.objects.only("trigger_type", "trigger_params", "conditions", "actions")
        if p.handles_churn
    ]
    qs = Task.objects.filter(status__in=OPEN_STATUSES, account__lifecycle_stage=LifecycleStage.CHURNED)
    if account_ids is not None:
        qs = qs.filter(account_id__in=list(account_ids))
    if keep:
        qs = qs.exclude(playbook_id__in=keep)
    # A task that exists because the account churned (e.g. "give the reason", renewals) stays.
    qs = qs.exclude(Q(signal__has_key="handles_churn") & Q(signal__handles_churn=True))
    rows = list(
        qs.select_for_update(of=("self",)).order_by("account_id", "id").values_list("pk", "account_id", "title")
    )
    if not rows:
        return 0
    now = timezone.now()
    cancelled = Task.objects.filter(pk__in=[pk for pk, _, _ in rows], status__in=OPEN_STATUSES).update(
        status=TaskStatus.CANCELLED,
        snoozed_until=None,
        outcome_note=CHURNED_NOTE,
        completed_at=now,
        completed_by=None,
        updated_at=now,
    )
    by_account: dict[int, list[tuple[int, str]]] = {}
    for pk, account_id, title in rows:
        by_account.setdefault(account_id, []).append((pk, title))
    for account in Account.objects.filter(pk__in=list(by_account)).order_by("pk"):
        tasks = by_account[account.pk]
        activity_create(
            account=account,
            kind=ActivityKind.SYSTEM,
            subject=f"{len(tasks)} open task{'s' if len(tasks) != 1 else ''} cancelled: the account churned",
            body="\n".join(f"- {title}" for _, title in tasks),
            occurred_at=now,
            metadata={"task_ids": [pk for pk, _ in tasks], "reason": "churned"},
        )
    return cancelled


def task_reopen_snoozed(*, today: date | None = None) -> int:
    """Snoozed tasks whose day has come are open again (nightly, and the inbox treats them as
    open already)."""
    today = today or timezone.now().date()
    return Task.objects.filter(status=TaskStatus.SNOOZED, snoozed_until__lte=today).update(
        status=TaskStatus.OPEN, snoozed_until=None, updated_at=timezone.now()
    )
