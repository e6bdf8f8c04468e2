"""Today's score on the Account row (health_score, health_band, health_change_7d) and the
news of band changes (health.signals.band_changed + the "health.band_changed" webhook)."""

from collections.abc import Sequence
from datetime import date

from .. import signals, sql
from ..models import HealthScore, ScoreSource
from ..overrides import overrides_ended, overrides_settle

__all__ = ["health_current_update"]


def health_current_update(*, as_of: date, account_ids: Sequence[int], scored: set[int] | None = None) -> list[dict]:
    """Copy the `as_of` snapshot onto Account.health_* (score, band, change over 7 days) and
    announce band changes. `scored` (the ids known to have that snapshot) saves a query.
    Returns the changes."""
    if not account_ids:
        return []
    changes = [
        {
            "account_id": account_id,
            "account": external_id,
            "old_band": old_band,
            "new_band": band,
            "old_score": old_score,
            "new_score": score,
            "day": as_of,
            "is_override": source == ScoreSource.OVERRIDE,
        }
        for account_id, old_score, old_band, score, band, external_id, source in sql.account_columns_update(
            as_of=as_of, account_ids=account_ids, scored=scored
        )
        if old_band and band != old_band
    ]
    ended = overrides_ended(account_ids)
    for c in changes:
        # An override that just ended caused this change too (its score went away).
        c["is_override"] = c["is_override"] or c["account_id"] in ended
    if changes:
        _announce(changes)
    overrides_settle(ended)
    return changes


def _announce(changes: list[dict]) -> None:
    from core.models import WebhookEndpoint
    from core.webhooks import webhook_emit

    wanted = any(e.wants("health.band_changed") for e in WebhookEndpoint.objects.filter(is_active=True))
    for c in changes:
        signals.band_changed.send(
            sender=HealthScore,
            account_id=c["account_id"],
            old_band=c["old_band"],
            new_band=c["new_band"],
            old_score=c["old_score"],
            new_score=c["new_score"],
            day=c["day"],
            is_override=c["is_override"],
        )
        if wanted:
            webhook_emit(
                event="health.band_changed",
                payload={
                    "account": c["account"],
                    "old_band": c["old_band"],
                    "new_band": c["new_band"],
                    "old_score": c["old_score"],
                    "new_score": c["new_score"],
                    "day": c["day"].isoformat(),
                    "is_override": c["is_override"],
                },
            )
