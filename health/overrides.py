"""The end of a CSM's health override, told once to the floors above.

An override replaces an account's score for a while; the band changes it makes (when it starts
and when it ends) are not measured news, so `band_changed` carries `is_override`, and playbooks
ignore them unless a playbook opts in. A playbook that did act on one (a lifecycle stage set
while the override held) undoes it when the override ends: the recompute that first runs
without an ended override sends `override_ended` for it, once (`HealthOverride.settled_at`),
whether it ran because the override was cleared, because its expiry task fired, or nightly.
"""

from collections.abc import Sequence

from django.db.models import Q
from django.utils import timezone

from usage.rollups import account_filter

from . import signals
from .models import HealthOverride

__all__ = ["overrides_ended", "overrides_settle"]


def overrides_ended(account_ids: Sequence[int]) -> dict[int, list[int]]:
    """{account id: [override id]} of these accounts' overrides that have ended (expired or
    cleared) and whose end was not announced yet. One query (the table is small)."""
    now = timezone.now()
    rows = account_filter(
        HealthOverride.objects.filter(settled_at=None).filter(Q(expires_at__lte=now) | Q(cleared_at__lte=now)),
        account_ids,
    ).values_list("account_id", "id")
    ended: dict[int, list[int]] = {}
    for account_id, override_id in rows:
        ended.setdefault(account_id, []).append(override_id)
    return ended


def overrides_settle(ended: dict[int, list[int]]) -> None:
    """Mark each ended override settled and send override_ended for it: only the caller whose
    UPDATE set it sends, so a retry or a concurrent recompute announces nothing twice."""
    now = timezone.now()
    for account_id, override_ids in ended.items():
        for override_id in override_ids:
            if HealthOverride.objects.filter(pk=override_id, settled_at=None).update(settled_at=now):
                signals.override_ended.send(sender=HealthOverride, account_id=account_id, override_id=override_id)
