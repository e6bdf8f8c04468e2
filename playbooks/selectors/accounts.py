"""Reads on the account side: the account page's Tasks panel, and the account a "New task" form
is for."""

from __future__ import annotations

from django.db.models import Case, Value, When

from accounts.models import Account

from ..choices import OPEN_STATUSES
from ..models import Task

__all__ = [
    "account_open_tasks",
    "accounts_by_pk",
    "contact_tasks",
    "task_account_get",
]


def account_open_tasks(*, account_id: int, limit: int = 10) -> list[Task]:
    return list(
        Task.objects.filter(account_id=account_id, status__in=OPEN_STATUSES)
        .select_related("assignee", "playbook")
        .order_by("due_date", "-priority", "id")[:limit]
    )


def contact_tasks(*, contact, limit: int = 10) -> list[Task]:
    """Tasks about a person (their signal names them: a detractor answer, a task made from their
    page), open ones first, then the newest: one query."""
    if contact.account_id is None:
        return []
    return list(
        Task.objects.filter(account_id=contact.account_id, signal__contact_id=contact.pk)
        .select_related("assignee", "playbook")
        .annotate(is_closed=Case(When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1)))
        .order_by("is_closed", "due_date", "-id")[:limit]
    )


def task_account_get(*, user, pk: int) -> Account | None:
    """An account `user` may see, by id, or None (the account a "New task" form is fixed to)."""
    return Account.objects.visible_to(user).filter(pk=pk).first()


def accounts_by_pk(*, pk: int) -> list[Account]:
    """The account with this id, as a list (empty when there is none)."""
    return list(Account.objects.filter(pk=pk))
