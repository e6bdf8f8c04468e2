"""Who gets a playbook's task: the account owner, the owner's manager, a named user, round
robin or least loaded over the CSM pool. Resolved for a whole batch of accounts in a
constant number of queries (the accounts come with `owner` and `owner__manager` loaded)."""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from django.db.models import Count, Q

from core.choices import Role
from core.models import User

from .choices import OPEN_STATUSES, AssigneeRule

__all__ = ["assignees_resolve", "csm_pool"]


def csm_pool() -> list[User]:
    """Active CSMs (role exactly CSM), in a stable order: the round-robin and least-loaded pool."""
    return list(User.objects.filter(is_active=True, role=Role.CSM).order_by("id"))


def _active(user) -> bool:
    return user is not None and user.is_active


def assignees_resolve(
    *, rule: str, accounts: Sequence, named_user_id: int | None = None, playbook_id: int | None = None
) -> dict[int, int | None]:
    """{account_id: user_id or None}. A rule that cannot apply (no owner, an inactive named
    user) falls back to the least-loaded CSM, so no playbook task is left unassigned while
    anyone could take it."""
    result: dict[int, int | None] = {}
    fallback: list = []
    if rule == AssigneeRule.OWNER:
        for account in accounts:
            if _active(account.owner):
                result[account.pk] = account.owner_id
            else:
                fallback.append(account)
    elif rule == AssigneeRule.OWNER_MANAGER:
        for account in accounts:
            owner = account.owner
            if owner is not None and _active(owner.manager):
                result[account.pk] = owner.manager_id
            elif _active(owner):
                result[account.pk] = owner.pk
            else:
                fallback.append(account)
    elif rule == AssigneeRule.USER:
        named = User.objects.filter(pk=named_user_id, is_active=True).first() if named_user_id else None
        if named is not None:
            result.update({a.pk: named.pk for a in accounts})
        else:
            fallback = list(accounts)
    elif rule == AssigneeRule.ROUND_ROBIN:
        result.update(_round_robin(accounts, playbook_id))
    else:
        fallback = list(accounts)
    if fallback:
        result.update(_least_loaded(fallback))
    return result


def _round_robin(accounts: Sequence, playbook_id: int | None) -> dict[int, int | None]:
    from .models import Task

    pool = [u.pk for u in csm_pool()]
    if not pool:
        return {a.pk: None for a in accounts}
    last = (
        Task.objects.filter(playbook_id=playbook_id, assignee_id__in=pool)
        .order_by("-created_at", "-id")
        .values_list("assignee_id", flat=True)
        .first()
        if playbook_id
        else None
    )
    start = (pool.index(last) + 1) % len(pool) if last in pool else 0
    return {a.pk: pool[(start + i) % len(pool)] for i, a in enumerate(sorted(accounts, key=lambda a: a.pk))}


def _least_loaded(accounts: Sequence) -> dict[int, int | None]:
    pool = list(
        User.objects.filter(is_active=True, role=Role.CSM)
        .annotate(load=Count("tasks", filter=Q(tasks__status__in=OPEN_STATUSES)))
        .order_by("id")
        .values_list("load", "id")
    )
    if not pool:
        return {a.pk: None for a in accounts}
    heap = list(pool)
    heapq.heapify(heap)
    out = {}
    for account in sorted(accounts, key=lambda a: a.pk):
        load, user_id = heapq.heappop(heap)
        out[account.pk] = user_id
        heapq.heappush(heap, (load + 1, user_id))
    return out
