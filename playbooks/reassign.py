"""Open tasks follow their account in a bulk reassignment (accounts.reassign, registered in
PlaybooksConfig.ready()): the open and snoozed tasks assigned to an account's previous owner go
to its new owner; tasks assigned to someone else (a support lead, a manager) stay theirs."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from accounts.reassign import NONE_KEY
from core.db import chunked

from .choices import OPEN_STATUSES
from .models import Task

__all__ = ["tasks_follow_accounts", "tasks_give_back"]


def tasks_follow_accounts(*, previous_owners: dict[int, int | None], to_owner_id: int) -> dict[str, list[int]]:
    """Move the open tasks of the moved accounts held by each account's previous owner (one read,
    one UPDATE). Returns {previous assignee id: [task ids]} for the undo."""
    by_owner: dict[int | None, list[int]] = {}
    for account_id, owner_id in previous_owners.items():
        by_owner.setdefault(owner_id, []).append(account_id)
    match = Q()
    for owner_id, account_ids in by_owner.items():
        if owner_id is not None:
            match |= Q(account_id__in=account_ids, assignee_id=owner_id)
    if not match:
        return {}
    rows = list(Task.objects.filter(match, status__in=OPEN_STATUSES).values_list("pk", "assignee_id"))
    if not rows:
        return {}
    Task.objects.filter(pk__in=[pk for pk, _ in rows]).update(assignee_id=to_owner_id, updated_at=timezone.now())
    record: dict[str, list[int]] = {}
    for pk, assignee_id in rows:
        record.setdefault(str(assignee_id) if assignee_id else NONE_KEY, []).append(pk)
    return record


def tasks_give_back(*, record: dict[str, list[int]], to_owner_id: int) -> int:
    """Undo: each task of `record` still assigned to `to_owner_id` goes back to its previous assignee."""
    back = 0
    now = timezone.now()
    for key, ids in record.items():
        assignee_id = None if key == NONE_KEY else int(key)
        for part in chunked(ids):
            back += Task.objects.filter(pk__in=list(part), assignee_id=to_owner_id).update(
                assignee_id=assignee_id, updated_at=now
            )
    return back
