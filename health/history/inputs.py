"""What scoring many days reads: each measure's raw values as days x accounts arrays, and
each day's active overrides, from one query each."""

from collections.abc import Sequence
from datetime import date

import numpy as np

from usage.rollups import account_filter

from ..models import HealthOverride
from ..recompute import inputs as recompute_inputs
from ..registry import _RUN_CACHE, MEASURES

__all__ = ["overrides_days", "raw_values_days"]


def raw_values_days(*, days: Sequence[date], account_ids: Sequence[int], keys: Sequence[str]) -> dict[str, np.ndarray]:
    """Each measure's raw values, days x accounts (NaN = no data), within one run cache so
    measures sharing a query read it once."""
    from ..custom_measures import custom_field_measures_sync

    custom_field_measures_sync()
    n_days, n = len(days), len(account_ids)
    token = _RUN_CACHE.set({})
    try:
        out = {}
        for key in keys:
            measure = MEASURES.get(key)
            if measure is None:
                continue
            if measure.compute_days is not None:
                values = np.asarray(measure.compute_days(days, account_ids), dtype=np.float64)
                if values.shape != (n_days, n):
                    raise ValueError(f"measure {key!r}: compute_days gave {values.shape}, not {(n_days, n)}")
            else:
                values = np.full((n_days, n), np.nan)
                col = {a: j for j, a in enumerate(account_ids)}
                for i, day in enumerate(days):
                    for account_id, value in measure.compute(day, account_ids).items():
                        j = col.get(account_id)
                        if j is not None and value is not None:
                            values[i, j] = value
            out[key] = values
        return out
    finally:
        _RUN_CACHE.reset(token)


def overrides_days(days: Sequence[date], account_ids: Sequence[int]) -> list[dict[int, int]]:
    """Per day, the score of each account's active override (services._active_overrides'
    rule, applied to one query's rows)."""
    moments = [recompute_inputs.moment(d) for d in days]
    rows = account_filter(
        HealthOverride.objects.filter(created_at__lte=max(moments), expires_at__gt=min(moments)), account_ids
    ).order_by("account_id", "-created_at", "-id")
    rows = list(rows.values_list("account_id", "score", "created_at", "expires_at", "cleared_at"))
    result: list[dict[int, int]] = []
    for moment in moments:
        active: dict[int, int] = {}
        for account_id, score, created_at, expires_at, cleared_at in rows:
            if created_at <= moment < expires_at and not (cleared_at is not None and cleared_at <= moment):
                active.setdefault(account_id, score)
        result.append(active)
    return result
