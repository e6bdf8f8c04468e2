"""The write for a task a person adds by hand (the inbox's and the account page's "New task").

Beside `services/tasks.py` (the writes on existing tasks). Playbooks
create their tasks in bulk in `actions._task`; this is the one-task path, with the same rules:
the assignee is someone who works tasks (as `task_reassign` requires), the "task.created"
webhook goes out after commit, and no timeline entry is written (a task reaches the timeline
when it is done, with its outcome)."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import account_write_check
from accounts.models import Account, Contact
from core.choices import Role
from core.models import User

from ..choices import Priority
from ..models import Task
from .tasks import tasks_assigned_announce

__all__ = ["MAX_DUE_DAYS", "task_create", "task_create_for_owner"]

MAX_DUE_DAYS = 5 * 366


@transaction.atomic
def task_create(
    *,
    user: User,
    account: Account,
    title: str,
    due_date: date,
    body: str = "",
    priority: int = Priority.NORMAL,
    assignee: User | None = None,
    contact: Contact | None = None,
    today: date | None = None,
) -> Task:
    """Create one open task on `account`, for `assignee` (default: `user`), about `contact` if given
    (its signal names them: the person page lists it). Raises
    PermissionDenied for a read-only user and ValidationError with per-field messages."""
    if not (user is not None and user.is_authenticated and user.is_active and user.has_role(Role.CSM)):
        raise PermissionDenied(_("Read-only users cannot create tasks."))
    if account is not None:
        account_write_check(user, account)  # accounts.access: only on an account of the user's book
    today = today or timezone.now().date()
    assignee = assignee or user
    title = (title or "").strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Say what needs doing.")
    elif len(title) > 255:
        errors["title"] = _("At most 255 characters.")
    if due_date is None:
        errors["due_date"] = _("Choose a due date.")
    elif due_date < today:
        errors["due_date"] = _("The due date cannot be in the past.")
    elif due_date > today + timedelta(days=MAX_DUE_DAYS):
        errors["due_date"] = _("Choose a due date within five years.")
    if priority not in Priority.values:
        errors["priority"] = _("Choose low, normal, high or urgent.")
    if not (assignee.is_active and assignee.has_role(Role.CSM)):
        errors["assignee"] = _("Assign to an active CSM, manager or admin.")
    if contact is not None and contact.account_id != account.pk:
        errors["contact"] = _("That person is not a contact of this account.")
    if errors:
        raise ValidationError(errors)
    task = Task.objects.create(
        account=account,
        title=title,
        body=(body or "").strip(),
        signal={"source": "manual", "created_by": user.pk}
        | ({"contact_id": contact.pk} if contact is not None else {}),
        priority=priority,
        due_date=due_date,
        assignee=assignee,
    )
    _emit_created(task, account)
    tasks_assigned_announce(task_ids=[task.pk], actor=user)
    return task


@transaction.atomic
def task_create_for_owner(
    *,
    account: Account,
    title: str,
    due_date: date,
    body: str = "",
    reason: str = "",
    signal: dict | None = None,
    priority: int = Priority.NORMAL,
    handles_churn: bool = False,
) -> Task:
    """A task the system asks of an account's owner (no person created it: e.g. "give the
    reason for this cancellation", from renewals). Unassigned when the owner cannot work tasks.
    The caller dedupes (one task per cause); the "task.created" webhook goes out as for others.
    `handles_churn`: the task is about the account's churn, so churning does not cancel it."""
    owner = account.owner if account.owner_id else None
    assignee = owner if owner is not None and owner.is_active and owner.has_role(Role.CSM) else None
    task = Task.objects.create(
        account=account,
        title=title[:255],
        body=body,
        reason=reason,
        signal={**(signal or {}), **({"handles_churn": True} if handles_churn else {})},
        priority=priority,
        due_date=due_date,
        assignee=assignee,
    )
    _emit_created(task, account)
    return task


def _emit_created(task: Task, account: Account) -> None:
    from core.webhooks import webhook_emit

    from ..actions import task_created_payload

    webhook_emit(event="task.created", payload=task_created_payload(task, account))
