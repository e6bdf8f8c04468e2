"""What every reports selector shares: the slice (`Filters`), the cache of live results keyed
by the data version, whether the pre-aggregate is fresh, and the pre-aggregated survey counts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db.models import Q, QuerySet

from accounts.choices import HealthBand
from accounts.models import Account
from core.replica import read_replica
from usage import metrics

from ..freshness import accounts_changed_at, data_changed_at
from ..models import RefreshLog

CACHE_SECONDS = 24 * 3600
LIVE_CACHE_SECONDS = 60
PAGE_CACHE_SECONDS = 60
BANDS = [HealthBand.RED, HealthBand.YELLOW, HealthBand.GREEN]


@dataclass(frozen=True)
class Filters:
    """A slice: segment, tier, CSM (account owner). Empty = everyone."""

    segment: str = ""
    tier: str = ""
    owner_id: int | None = None

    @property
    def is_everyone(self) -> bool:
        return not (self.segment or self.tier or self.owner_id)

    def accounts(self) -> QuerySet:
        return metrics.account_slice(segment=self.segment or None, tier=self.tier or None, owner_id=self.owner_id)

    def q(self, prefix: str = "") -> Q:
        q = Q()
        if self.segment:
            q &= Q(**{f"{prefix}segment": self.segment})
        if self.tier:
            q &= Q(**{f"{prefix}tier": self.tier})
        if self.owner_id:
            q &= Q(**{f"{prefix}owner_id": self.owner_id})
        return q

    def key(self) -> str:
        return f"{self.segment}|{self.tier}|{self.owner_id or ''}"


def _cache_key(*parts) -> str:
    raw = "|".join(str(p) for p in parts)
    return "reports:" + hashlib.sha1(raw.encode()).hexdigest()  # noqa: S324 - a cache key, not security


def cached(parts: tuple, compute, timeout: int = CACHE_SECONDS):
    """`compute()` cached under `parts` + the data version."""
    key = _cache_key(*parts, data_changed_at())
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value


def page_cached(parts: tuple, compute, timeout: int = PAGE_CACHE_SECONDS, *, fresh: bool = False):
    """`compute()` of a page's figures (the dashboard's, the home page's account panels) cached
    per `parts` for `timeout` seconds, or until an account is saved through the product
    (reports/receivers.py). Unlike `cached`, not keyed on the data version: survey answers and
    subscription changes move it every second under load, and these figures come from the
    pre-aggregate and the health scores, which are themselves refreshed within a minute. A
    user's own work that must show at once (tasks) stays out of it (docs/decisions.md)."""
    key = _cache_key("page", *parts, accounts_changed_at())
    value = None if fresh else cache.get(key)  # fresh: computed now, and kept for the next reader
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value


# Section: freshness of the pre-aggregate

LIVE_USAGE_MAX_ACCOUNTS = 20_000


@read_replica
def live_usage_ok() -> bool:
    """Usage figures (JSON work over every rollup row) are computed live only for a small book;
    a large one reads them from the pre-aggregate."""
    count = cache.get("reports:account-count")
    if count is None:
        count = Account.objects.count()
        cache.set("reports:account-count", count, 600)
    return count <= LIVE_USAGE_MAX_ACCOUNTS


@read_replica
def last_refresh() -> RefreshLog | None:
    return RefreshLog.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()


def cube_is_fresh(refresh: RefreshLog | None) -> bool:
    """Did the refresh finish after the last data change? Asked once per RefreshLog object (a
    page reads one per request and asks for each of its ~30 periods: one cache round trip each
    before; make soak)."""
    if refresh is None or refresh.finished_at is None:
        return False
    fresh = getattr(refresh, "_fresh_checked", None)
    if fresh is None:
        fresh = refresh.finished_at.timestamp() >= data_changed_at()
        refresh._fresh_checked = fresh  # type: ignore[attr-defined]
    return fresh


def in_cube(refresh: RefreshLog | None, start: date, end: date) -> bool:
    """Is [start, end) pre-aggregated (by the latest refresh, which must be fresh)?"""
    if refresh is None or not cube_is_fresh(refresh):
        return False
    return [start.isoformat(), end.isoformat()] in refresh.cube_periods


# Section: pre-aggregated survey counts

CUBE_FIELDS = metrics.COMPONENT_FIELDS + metrics.USAGE_FIELDS
SURVEY_CUBE_FIELDS = (
    "nps_responses", "promoters", "detractors", "csat_responses", "csat_satisfied", "ces_responses", "ces_sum"
)  # fmt: skip


def survey_from_counts(row: dict) -> dict:
    """surveys.metrics.scores_from_row over summed pre-aggregated answer counts."""
    from surveys.metrics import scores_from_row

    counts: dict[str, int | float | None] = {f: int(row.get(f) or 0) for f in SURVEY_CUBE_FIELDS if f != "ces_sum"}
    n_ces = int(counts["ces_responses"] or 0)
    counts["ces_mean"] = float(row.get("ces_sum") or 0) / n_ces if n_ces else None
    return scores_from_row(counts)
