"""News from health for the floors above (playbooks listens)."""

from django.dispatch import Signal

# account_id, old_band, new_band, old_score, new_score, day
band_changed = Signal()
# account_ids: list[int], day: date. Sent after a recompute stored snapshots.
scores_recomputed = Signal()
