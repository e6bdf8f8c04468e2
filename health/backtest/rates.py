"""The learned model's second feature source: each account's usage per event name over the
RATE_WINDOW days up to the observation's day, read from the daily rollups
(usage.AccountDailyUsage.features, {event name: count}) with nothing after that day.

*Fighting Churn with Data* builds its churn models on such per-event rates (and ratios of
them: on the features' log scale a ratio is a difference, which a logistic regression learns
from the two logs); the scorecard's snapshot keeps only the events its measures use, ranked
within the segment. The rates join a snapshot's measures as pseudo-measures
`rate:<event>` = {"value": count, "score": None} (features.py turns them into one `__log`
feature each), so the stored model and its reasons treat them like any measure.

Training reads them for every observation day (one aggregate query a day); the API reads them
for one page of snapshots at once (rates_for)."""

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from usage.models import AccountDailyUsage

__all__ = ["RATE_PREFIX", "RATE_WINDOW", "event_rates", "is_rate", "rates_for", "with_rates"]

RATE_PREFIX = "rate:"
RATE_WINDOW = 30


def is_rate(key: str) -> bool:
    return key.startswith(RATE_PREFIX)


def event_rates(pairs: Iterable[tuple[int, date]], *, window: int = RATE_WINDOW) -> dict[tuple[int, date], dict]:
    """{(account, day): {"rate:<event>": {"value": count, "score": None}}} for these
    (account, day) pairs: the events of each name in (day - window, day]. Accounts without
    usage in the window get {} (their rates are 0: no data is itself a signal)."""
    by_day: dict[date, set[int]] = {}
    for account_id, day in pairs:
        by_day.setdefault(day, set()).add(account_id)
    result: dict[tuple[int, date], dict] = {}
    for day, accounts in by_day.items():
        rows = AccountDailyUsage.objects.filter(
            account_id__in=sorted(accounts), day__gt=day - timedelta(days=window), day__lte=day
        ).values_list("account_id", "features")
        totals: dict[int, dict[str, int]] = {}
        for account_id, features in rows.iterator(chunk_size=5000):
            counts = totals.setdefault(account_id, {})
            for name, n in (features or {}).items():
                counts[name] = counts.get(name, 0) + int(n)
        for account_id in accounts:
            counts = totals.get(account_id, {})
            result[(account_id, day)] = {
                f"{RATE_PREFIX}{name}": {"value": float(n), "score": None} for name, n in sorted(counts.items())
            }
    return result


def with_rates(obs: Sequence) -> list:
    """These observations (any dataclass with account_id, day and measures) with their event
    rates joined to their measures (copies; the observations are not changed)."""
    rates = event_rates((o.account_id, o.day) for o in obs)
    return [dataclasses.replace(o, measures={**o.measures, **rates[(o.account_id, o.day)]}) for o in obs]


def rates_for(snapshots: Sequence) -> list[dict]:
    """The measures of these HealthScore snapshots with their event rates joined (one query
    per distinct day: a page of the API is one day)."""
    rates = event_rates((s.account_id, s.day) for s in snapshots)
    return [{**s.measures, **rates[(s.account_id, s.day)]} for s in snapshots]
