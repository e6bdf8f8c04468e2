"""The touch cadence per tier (how often a CSM should touch an account)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

__all__ = [
    "touch_cadence_set",
]


@transaction.atomic
def touch_cadence_set(*, days_by_tier: dict[str, int]) -> dict[str, int]:
    """Set how often each tier is due a CSM touch (accounts.TouchCadence, which the portfolio's
    "touch due" and the no-touch trigger read). Accounts has no writer for it yet; this is it."""
    from accounts.choices import Tier
    from accounts.models import TouchCadence

    errors = {}
    for tier, days in days_by_tier.items():
        if tier not in Tier.values:
            errors[tier] = "unknown tier"
        elif not isinstance(days, int) or not 1 <= days <= 365:
            errors[tier] = "must be between 1 and 365 days"
    if errors:
        raise ValidationError(errors)
    for tier, days in days_by_tier.items():
        TouchCadence.objects.update_or_create(tier=tier, defaults={"every_days": days})
    return TouchCadence.days_by_tier()
