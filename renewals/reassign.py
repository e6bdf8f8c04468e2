"""Open opportunities follow their account in a bulk reassignment (issue 17's
`accounts.reassign` registry, registered in RenewalsConfig.ready()): the
open opportunities held by an account's previous owner, or by nobody, go to its new owner;
those held by someone else (an account executive, a manager) stay theirs. Closed ones keep
who closed them."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from core.db import chunked

from .choices import StageKind
from .models import Opportunity

__all__ = ["NONE_KEY", "opportunities_follow_accounts", "opportunities_give_back"]

NONE_KEY = "none"  # the record key of "no previous owner" (accounts.reassign's)


def opportunities_follow_accounts(*, previous_owners: dict[int, int | None], to_owner_id: int) -> dict[str, list[int]]:
    """Move the open opportunities of the moved accounts held by each account's previous owner
    or by nobody (one read, one UPDATE). Returns {previous owner id: [opportunity ids]}."""
    by_owner: dict[int | None, list[int]] = {}
    for account_id, owner_id in previous_owners.items():
        by_owner.setdefault(owner_id, []).append(account_id)
    match = Q()
    for owner_id, account_ids in by_owner.items():
        held = Q(owner__isnull=True) if owner_id is None else Q(owner_id=owner_id) | Q(owner__isnull=True)
        match |= Q(account_id__in=account_ids) & held
    if not match:
        return {}
    rows = list(Opportunity.objects.filter(match, status=StageKind.OPEN).values_list("pk", "owner_id"))
    if not rows:
        return {}
    now = timezone.now()
    for part in chunked([pk for pk, _ in rows]):
        Opportunity.objects.filter(pk__in=list(part)).update(owner_id=to_owner_id, updated_at=now)
    record: dict[str, list[int]] = {}
    for pk, owner_id in rows:
        record.setdefault(str(owner_id) if owner_id else NONE_KEY, []).append(pk)
    return record


def opportunities_give_back(*, record: dict[str, list[int]], to_owner_id: int) -> int:
    """Undo: each opportunity of `record` still held by `to_owner_id` goes back."""
    back = 0
    now = timezone.now()
    for key, ids in record.items():
        owner_id = None if key == NONE_KEY else int(key)
        for part in chunked(ids):
            back += Opportunity.objects.filter(pk__in=list(part), owner_id=to_owner_id).update(
                owner_id=owner_id, updated_at=now
            )
    return back
