"""Measures that calibrate themselves (issue 19), and the event measures an admin defines
(health.models.EventMeasure), registered in HealthConfig.ready().

Fixed thresholds saturate on books where every account is busy (30 active days of 30 is
everyone). These measures score an account against the others of its segment that day
(percentile rank) or against its own past (its last 30 days against the 60 before), per day
of the account's life (an account 10 days old is not "low" for having 10 days of events),
per active user where contacts are known:

- history_days: days since the account's first data (first usage in the 90-day window, first
  paid subscription, creation), capped at 365. Under MIN_HISTORY_DAYS the score is flagged
  "insufficient history" (selectors, API, page) and left out of the evaluation's pools.
- activity_level: events per day of the last 30 (per day of life when younger), as the
  percentile (0-100) among the accounts of the same segment that day.
- activity_baseline: that daily rate against the account's own daily rate over the 60 days
  before, change in percent (-100..+100); no data with under 14 days of that baseline.
- activity_per_user: events of the last 30 days per active user (distinct contacts, else
  paid seats), as the percentile in the segment; no data when neither is known.
- event:<slug>: an EventMeasure (count, rate per active user, distinct days, trend).

No usage is data (an account with no events has a rate of 0, ranked lowest), not "no data"
whose weight would go to the other measures. Values are set-based: one rollup aggregate
per chunk (health.sql.activity) and, for percentiles, the day's population per segment
from a sample of at most SAMPLE_PER_SEGMENT accounts (exact below that), computed once per
day and cached (the Django cache, Redis when configured) so a chunk of the nightly run or one account on
demand only ranks against it.
"""

import hashlib
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache as django_cache
from django.db.models import Count, Max, Min

from accounts.models import Account, Subscription
from usage.models import AccountDailyUsage
from usage.rollups import account_filter

from .measures import _ids, _subscriptions
from .models import EventMeasure, EventMeasureKind
from .registry import _RUN_CACHE, Measure, run_cached
from .sql.activity import RECENT_DAYS, active_users, activity_rows

MIN_HISTORY_DAYS = 14
HISTORY_CAP = 365
BASELINE_MIN_DAYS = 14
TREND_LIMIT = 100.0
SAMPLE_PER_SEGMENT = 2000
MIN_SEGMENT = 30  # smaller segments rank against every account
POPULATION_TTL = 6 * 3600
ALL = "\x00all"

# Section: per-account figures


@dataclass(frozen=True)
class Figures:
    history: int  # days of history as of the day (0 = not a customer yet)
    e30: int
    eprior: int
    active_days: int
    named: dict  # event name -> (count in 30 days, days in 30, count in the 60 before)
    users: int  # active contacts in 30 days, else paid seats, else 0


def _event_measures() -> list[EventMeasure]:
    cache = _RUN_CACHE.get()
    if cache is not None and "event_measures" in cache:
        return cache["event_measures"]
    rows = list(EventMeasure.objects.all())
    if cache is not None:
        cache["event_measures"] = rows
    return rows


def _names() -> tuple[str, ...]:
    return tuple(sorted({n for em in _event_measures() for n in em.event_names}))


def figures(as_of: date, account_ids: Sequence[int] | None) -> dict[int, Figures]:
    """Every account's figures (those among `account_ids`), three or four queries."""
    names = _names()
    key = ("activity", as_of, None if account_ids is None else tuple(account_ids), names)
    return run_cached(key, lambda: _figures(as_of, account_ids, names))


def _figures(as_of: date, account_ids: Sequence[int] | None, names: Sequence[str]) -> dict[int, Figures]:
    rows = activity_rows(as_of=as_of, account_ids=account_ids, names=names)
    accounts = account_filter(Account.objects.all(), account_ids, field="id")
    created = dict(accounts.values_list("id", "created_at"))
    first_sub = dict(
        account_filter(Subscription.objects.paid(), account_ids)
        .values("account_id")
        .annotate(first=Min("start_date"))
        .values_list("account_id", "first")
        .order_by()
    )
    users = active_users(as_of=as_of, account_ids=account_ids)
    seats = {i: s.seats for i, s in _subscriptions(as_of, _ids(account_ids)).items() if s.seats}
    result = {}
    for account_id, created_at in created.items():
        row = rows.get(account_id)
        starts = [created_at.date()]
        if account_id in first_sub:
            starts.append(first_sub[account_id])
        if row is not None and row[3] is not None:
            starts.append(row[3])
        start = min(starts)
        history = (as_of - start).days + 1 if start <= as_of else 0
        named = {}
        if row is not None:
            for i, name in enumerate(names):
                named[name] = (int(row[4 + 3 * i]), int(row[5 + 3 * i]), int(row[6 + 3 * i]))
        result[account_id] = Figures(
            history=min(history, HISTORY_CAP),
            e30=int(row[0]) if row else 0,
            eprior=int(row[1]) if row else 0,
            active_days=int(row[2]) if row else 0,
            named=named,
            users=users.get(account_id) or seats.get(account_id) or 0,
        )
    return result


# Section: the quantities (raw, before any percentile)


def _window(f: Figures) -> int:
    """Days of the last 30 the account existed on (at least 1)."""
    return max(1, min(RECENT_DAYS, f.history))


def _change(now: float, before: float, before_days: int) -> float | None:
    if before_days < BASELINE_MIN_DAYS:
        return None
    if before <= 0:
        return TREND_LIMIT if now > 0 else None
    return round(max(-TREND_LIMIT, min(TREND_LIMIT, 100.0 * (now - before) / before)), 1)


def _prior_days(f: Figures) -> int:
    return max(0, min(2 * RECENT_DAYS, f.history - RECENT_DAYS))


def rate(f: Figures) -> float | None:
    return f.e30 / _window(f) if f.history else None


def baseline(f: Figures) -> float | None:
    if not f.history:
        return None
    prior = _prior_days(f)
    return _change(f.e30 / _window(f), f.eprior / prior if prior else 0.0, prior)


def per_user(f: Figures) -> float | None:
    return f.e30 / f.users if f.history and f.users else None


def event_value(em: EventMeasure, f: Figures) -> float | None:
    """An EventMeasure's raw quantity for one account (before any percentile)."""
    if not f.history:
        return None
    n30 = sum(f.named.get(n, (0, 0, 0))[0] for n in em.event_names)
    if em.kind == EventMeasureKind.COUNT:
        return round(n30 * RECENT_DAYS / _window(f), 2)  # a 30-day count, scaled up for the young
    if em.kind == EventMeasureKind.RATE_PER_USER:
        return round(n30 / f.users, 3) if f.users else None
    if em.kind == EventMeasureKind.DISTINCT_DAYS:
        # Days with any of the events (the most frequent one's days when several: rollups keep
        # each name's days, not their union).
        days = max((f.named.get(n, (0, 0, 0))[1] for n in em.event_names), default=0)
        return float(days)
    prior_count = sum(f.named.get(n, (0, 0, 0))[2] for n in em.event_names)
    prior = _prior_days(f)
    return _change(n30 / _window(f), prior_count / prior if prior else 0.0, prior)


# Section: populations (percentile within the segment)


def _fingerprint() -> tuple:
    """Changes when accounts or rollups do (two index reads): a cached population of a day
    is reused only while it still describes the book."""
    accounts = Account.objects.aggregate(n=Count("id"), top=Max("id"))
    top_rollup = AccountDailyUsage.objects.aggregate(top=Max("id"))["top"]
    return accounts["n"], accounts["top"], top_rollup


def _sample() -> dict[str, list[int]]:
    """Account ids per segment (and ALL), at most SAMPLE_PER_SEGMENT each, evenly spread by id."""
    by_segment: dict[str, list[int]] = {}
    every = list(Account.objects.order_by("id").values_list("id", "segment"))
    for account_id, segment in every:
        by_segment.setdefault(segment, []).append(account_id)
    groups = {ALL: [a for a, _ in every]}
    groups.update({s: ids for s, ids in by_segment.items() if len(ids) >= MIN_SEGMENT})
    return {s: _spread(ids, SAMPLE_PER_SEGMENT) for s, ids in groups.items()}


def _spread(ids: list[int], n: int) -> list[int]:
    if len(ids) <= n:
        return ids
    step = len(ids) / n
    return [ids[int(k * step)] for k in range(n)]


def _quantities() -> dict:
    """The ranked quantities: name -> fn(Figures) -> raw value or None."""
    out = {"activity_level": rate, "activity_per_user": per_user}
    for em in _event_measures():
        if em.calibrated and em.kind != EventMeasureKind.TREND:
            out[em.measure_key] = lambda f, em=em: event_value(em, f)
    return out


def population(as_of: date) -> dict:
    """{"segments": {account_id's segment group...}, quantity: {segment: sorted values}} of
    the day: from the cache, else computed (a sample of every segment) and cached."""
    quantities = _quantities()
    signature = repr((as_of.isoformat(), sorted(quantities), _names(), run_cached("fingerprint", _fingerprint)))
    key = "health:population:" + hashlib.sha1(signature.encode()).hexdigest()
    return run_cached(key, lambda: _population_cached(key, as_of, quantities))


def _population_cached(key: str, as_of: date, quantities: dict) -> dict:
    cached = django_cache.get(key)
    if cached is None:
        cached = _population(as_of, quantities)
        django_cache.set(key, cached, POPULATION_TTL)
    return cached


def _population(as_of: date, quantities: dict) -> dict:
    groups = _sample()
    ids = sorted({i for members in groups.values() for i in members})
    figs = _figures(as_of, ids, _names()) if ids else {}
    out: dict = {"groups": sorted(groups)}
    for name, fn in quantities.items():
        values = {i: fn(f) for i, f in figs.items()}
        out[name] = {
            segment: sorted(v for i in members if (v := values.get(i)) is not None)
            for segment, members in groups.items()
        }
    return out


def percentile(value: float, ranked: list[float]) -> float:
    """Percentile rank (0-100) of `value` among `ranked` (sorted): the share below it plus
    half the share equal to it."""
    if not ranked:
        return 50.0
    below, upto = bisect_left(ranked, value), bisect_right(ranked, value)
    return round(100.0 * (below + upto) / (2 * len(ranked)), 1)


def _segments(account_ids: Sequence[int] | None) -> dict[int, str]:
    key = ("segments", None if account_ids is None else tuple(account_ids))
    return run_cached(
        key, lambda: dict(account_filter(Account.objects.all(), account_ids, field="id").values_list("id", "segment"))
    )


def _ranked(name: str, fn, as_of: date, account_ids: Iterable[int] | None) -> dict[int, float | None]:
    ids = _ids(account_ids)
    figs = figures(as_of, ids)
    pop = population(as_of)
    ranked = pop.get(name, {})
    segments = _segments(ids)
    result: dict[int, float | None] = {}
    for account_id, f in figs.items():
        value = fn(f)
        if value is None:
            continue
        segment = segments.get(account_id, "")
        result[account_id] = percentile(value, ranked.get(segment) or ranked.get(ALL) or [])
    return result


# Section: compute functions


def history_days(as_of: date, account_ids: Iterable[int] | None) -> dict[int, float | None]:
    return {i: float(f.history) for i, f in figures(as_of, _ids(account_ids)).items() if f.history}


def activity_level(as_of: date, account_ids: Iterable[int] | None) -> dict[int, float | None]:
    return _ranked("activity_level", rate, as_of, account_ids)


def activity_baseline(as_of: date, account_ids: Iterable[int] | None) -> dict[int, float | None]:
    return {i: v for i, f in figures(as_of, _ids(account_ids)).items() if (v := baseline(f)) is not None}


def activity_per_user(as_of: date, account_ids: Iterable[int] | None) -> dict[int, float | None]:
    return _ranked("activity_per_user", per_user, as_of, account_ids)


def event_compute(em: EventMeasure):
    """The compute function of one EventMeasure (percentile in the segment when calibrated)."""

    def compute(as_of: date, account_ids: Iterable[int] | None) -> dict[int, float | None]:
        current = {e.slug: e for e in _event_measures()}.get(em.slug, em)
        fn = lambda f: event_value(current, f)  # noqa: E731
        if current.calibrated and current.kind != EventMeasureKind.TREND:
            return _ranked(current.measure_key, fn, as_of, account_ids)
        return {i: v for i, f in figures(as_of, _ids(account_ids)).items() if (v := fn(f)) is not None}

    return compute


PERCENTILE_POINTS = ((0, 0), (100, 100))
CHANGE_POINTS = ((-80, 0), (-40, 35), (-10, 65), (0, 75), (30, 100))

ACTIVITY_MEASURES = (
    Measure(
        key="history_days",
        label="History",
        compute=history_days,
        unit="days",
        description="Days since the account's first data; under 14 the score is marked insufficient history.",
        default_points=((0, 0), (MIN_HISTORY_DAYS, 50), (90, 100)),
    ),
    Measure(
        key="activity_level",
        label="Activity vs segment",
        compute=activity_level,
        unit="percentile",
        description="Events per day over the last 30 days, ranked among the accounts of the same segment.",
        default_points=PERCENTILE_POINTS,
    ),
    Measure(
        key="activity_baseline",
        label="Activity vs own baseline",
        compute=activity_baseline,
        unit="% change",
        description="Events per day over the last 30 days against the account's own 60 days before.",
        default_points=CHANGE_POINTS,
    ),
    Measure(
        key="activity_per_user",
        label="Activity per user",
        compute=activity_per_user,
        unit="percentile",
        description="Events per active user (or paid seat) over the last 30 days, ranked within the segment.",
        default_points=PERCENTILE_POINTS,
    ),
)

KIND_UNITS = {
    EventMeasureKind.COUNT: "events / 30 days",
    EventMeasureKind.RATE_PER_USER: "events per user",
    EventMeasureKind.DISTINCT_DAYS: "days / 30",
    EventMeasureKind.TREND: "% change",
}
KIND_POINTS = {
    EventMeasureKind.COUNT: ((0, 0), (10, 50), (50, 100)),
    EventMeasureKind.RATE_PER_USER: ((0, 0), (2, 50), (10, 100)),
    EventMeasureKind.DISTINCT_DAYS: ((0, 0), (4, 40), (12, 80), (20, 100)),
    EventMeasureKind.TREND: CHANGE_POINTS,
}


def event_measure(em: EventMeasure) -> Measure:
    """The library entry of an EventMeasure."""
    calibrated = em.calibrated and em.kind != EventMeasureKind.TREND
    return Measure(
        key=em.measure_key,
        label=em.label,
        compute=event_compute(em),
        unit="percentile" if calibrated else KIND_UNITS[EventMeasureKind(em.kind)],
        description=f"{EventMeasureKind(em.kind).label}: {', '.join(em.event_names)}",
        default_points=PERCENTILE_POINTS if calibrated else KIND_POINTS[EventMeasureKind(em.kind)],
    )


def event_measures_load() -> list[Measure]:
    """Every EventMeasure as a Measure (the registry's "event:" source)."""
    return [event_measure(em) for em in EventMeasure.objects.all()]
