"""Success plans follow their account in a bulk reassignment (accounts.reassign, registered in
OnboardingConfig.ready()): an active plan owned by the account's previous owner goes to the new
owner; a plan someone else owns stays theirs."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from accounts.reassign import NONE_KEY
from core.db import chunked

from .choices import PlanStatus
from .models import SuccessPlan
from .panel_cache import plans_changed_by_id

__all__ = ["plans_follow_accounts", "plans_give_back"]


def plans_follow_accounts(*, previous_owners: dict[int, int | None], to_owner_id: int) -> dict[str, list[int]]:
    by_owner: dict[int, list[int]] = {}
    for account_id, owner_id in previous_owners.items():
        if owner_id is not None:
            by_owner.setdefault(owner_id, []).append(account_id)
    if not by_owner:
        return {}
    match = Q()
    for owner_id, account_ids in by_owner.items():
        match |= Q(account_id__in=account_ids, owner_id=owner_id)
    rows = list(SuccessPlan.objects.filter(match, status=PlanStatus.ACTIVE).values_list("pk", "owner_id"))
    if not rows:
        return {}
    SuccessPlan.objects.filter(pk__in=[pk for pk, _ in rows]).update(owner_id=to_owner_id, updated_at=timezone.now())
    plans_changed_by_id(pk for pk, _ in rows)  # update() sends no post_save (the account page's panel)
    record: dict[str, list[int]] = {}
    for pk, owner_id in rows:
        record.setdefault(str(owner_id) if owner_id else NONE_KEY, []).append(pk)
    return record


def plans_give_back(*, record: dict[str, list[int]], to_owner_id: int) -> int:
    back = 0
    for key, ids in record.items():
        owner_id = None if key == NONE_KEY else int(key)
        for part in chunked(ids):
            held = SuccessPlan.objects.filter(pk__in=list(part), owner_id=to_owner_id)
            back += held.update(owner_id=owner_id, updated_at=timezone.now())
        plans_changed_by_id(ids)
    return back
