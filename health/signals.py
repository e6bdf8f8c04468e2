"""News from health for the floors above (playbooks listens)."""

from django.dispatch import Signal

# account_id, old_band, new_band, old_score, new_score, day, is_override (True when a CSM's
# override caused the change: it starts, changes or ends an override, not a measured move)
band_changed = Signal()
# account_id, override_id: a CSM override expired or was cleared and the account was rescored
# without it. Sent once per override (HealthOverride.settled_at).
override_ended = Signal()
# account_ids: list[int], day: date. Sent after a recompute stored snapshots.
scores_recomputed = Signal()
