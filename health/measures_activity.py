"""Measures that calibrate themselves (issue 19), and the event measures an admin defines
(health.models.EventMeasure), registered in HealthConfig.ready().

Fixed thresholds saturate on books where every account is busy (30 active days of 30 is
everyone). These measures score an account against the others of its segment that day
(percentile rank) or against its own past (its last 30 days against the 30 before), per day
of the account's life (an account 10 days old is not "low" for having 10 days of events),
per active user where contacts are known:

- history_days: days since the account's first paid subscription or its creation, capped at
  365. Under MIN_HISTORY_DAYS the score is flagged "insufficient history" (selectors, API,
  page) and left out of the evaluation's pools.
- activity_level: events per day of the last 30 (per day of life when younger), as the
  percentile (0-100) among the accounts of the same segment that day.
- activity_baseline: that daily rate against the account's own daily rate over the 30 days
  before (per day it existed), change in percent (-100..+100); no data with under 14 days
  of that baseline.
- activity_per_user: events of the last 30 days per active user (distinct contacts, else
  paid seats), as the percentile in the segment; no data when neither is known.
- event:<slug>: an EventMeasure (count, rate per active user, distinct days, trend).

No usage is data (an account with no events has a rate of 0, ranked lowest), not "no data"
whose weight would go to the other measures. Values are set-based and cheap: the activity
figures are the usage window the usage measures already read (usage.rollups.
usage_window_stats, shared through the run cache), plus one subscriptions query and, with
event measures, one rollup aggregate (health.sql.activity). Percentiles rank against the
day's population per segment, from a sample of about SAMPLE_SIZE accounts (every k-th id;
exact below that), computed once per day and cached (the Django cache, Redis when
configured) so a chunk of the nightly run or one account on demand only ranks against it.
"""

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, date
from typing import NamedTuple

import numpy as np
from django.core.cache import cache as django_cache
from django.db.models import Max
from django.db.models.functions import TruncDate
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Account

from .measures import _ids, _usage
from .models import EventMeasure, EventMeasureKind
from .registry import _RUN_CACHE, Measure, run_cached
from .sql.activity import RECENT_DAYS, EveryKth, event_rows, narrow, paid_seats_and_start

MIN_HISTORY_DAYS = 14
HISTORY_CAP = 365
BASELINE_MIN_DAYS = 14
TREND_LIMIT = 100.0
SAMPLE_SIZE = 3000  # accounts of the population sample (every k-th id)
POPULATION_POINTS = 1000  # a segment's values kept as at most this many order statistics
MIN_SEGMENT = 30  # segments with fewer sampled accounts rank against every account
POPULATION_TTL = 6 * 3600
ALL = "\x00all"

# Section: per-account figures


class Figures(NamedTuple):
    """One account's figures (a named tuple: a chunk builds 5,000, cheaper than a dataclass)."""

    history: int  # days of history as of the day (0 = not a customer yet)
    e30: int  # events, last 30 days
    eprior: int  # events, the 30 days before
    active_days: int
    named: dict  # event name -> (count in 30 days, days in 30, count in the 30 before)
    users: int  # active contacts in 30 days, else paid seats, else 0
    segment: str


def _event_measures() -> list[EventMeasure]:
    cache = _RUN_CACHE.get()
    if cache is not None and "event_measures" in cache:
        return cache["event_measures"]
    rows = list(EventMeasure.objects.all())
    if cache is not None:
        cache["event_measures"] = rows
    return rows


def _names() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The event names the event measures count, and those a trend needs the month before of."""
    measures = _event_measures()
    names = tuple(sorted({n for em in measures for n in em.event_names}))
    prior = tuple(sorted({n for em in measures if em.kind == EventMeasureKind.TREND for n in em.event_names}))
    return names, prior


def figures(as_of: date, account_ids: Sequence[int] | None) -> dict[int, Figures]:
    """Every account's figures (those among `account_ids`): the usage window the usage
    measures share (run-cached), then subscriptions, accounts and, with event measures,
    one rollup aggregate."""
    names = _names()
    key = ("activity", as_of, None if account_ids is None else tuple(account_ids), names)
    return run_cached(key, lambda: _figures(as_of, account_ids, names))


def _figures(as_of: date, account_ids, names: tuple) -> dict[int, Figures]:
    """`account_ids`: a list, an AccountRange, None (all) or an EveryKth sample."""
    event_names, prior_names = names
    rows = narrow(Account.objects.all(), account_ids, field="id")
    accounts = list(
        rows.annotate(created=TruncDate("created_at", tzinfo=UTC)).values_list("id", "created", "segment").order_by()
    )
    if isinstance(account_ids, EveryKth):
        stats = _usage(as_of, None if account_ids.k <= 1 else [a[0] for a in accounts])
    else:
        stats = _usage(as_of, account_ids)
    subs = paid_seats_and_start(as_of=as_of, account_ids=account_ids)
    events = event_rows(as_of=as_of, account_ids=account_ids, names=event_names, prior_names=prior_names)
    n = len(event_names)
    empty: dict = {}
    result = {}
    for account_id, created, segment in accounts:
        sub = subs.get(account_id)
        start = created if sub is None or sub[1] >= created else sub[1]
        history = (as_of - start).days + 1 if start <= as_of else 0
        usage = stats.get(account_id)
        row = events.get(account_id)
        named = empty
        if row is not None:
            prior = dict(zip(prior_names, row[2 * n :], strict=True)) if prior_names else empty
            named = {
                name: (row[2 * i] or 0, row[2 * i + 1], prior.get(name) or 0) for i, name in enumerate(event_names)
            }
        if usage is None:
            active = e30 = eprior = contacts = 0
        else:
            active, e30, eprior, contacts, _ = usage
        seats = sub[0] if sub is not None else 0
        result[account_id] = Figures(
            min(history, HISTORY_CAP), e30, eprior, active, named, contacts or seats or 0, segment
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
    """Days of the 30 before the last 30 the account existed on."""
    return max(0, min(RECENT_DAYS, f.history - RECENT_DAYS))


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


def _fingerprint() -> int | None:
    """The highest account id (an index read): a population cached for a day is reused
    until accounts are added. A run over every account recomputes it (population_forget)."""
    return Account.objects.aggregate(top=Max("id"))["top"]


def _quantities() -> dict:
    """The ranked quantities: name -> fn(Figures) -> raw value or None."""
    out = {"activity_level": rate, "activity_per_user": per_user}
    for em in _event_measures():
        if em.calibrated and em.kind != EventMeasureKind.TREND:
            out[em.measure_key] = lambda f, em=em: event_value(em, f)
    return out


def _population_key(as_of: date) -> tuple[str, dict]:
    quantities = _quantities()
    signature = repr((as_of.isoformat(), sorted(quantities), _names(), run_cached("fingerprint", _fingerprint)))
    return "health:population:" + hashlib.sha1(signature.encode()).hexdigest(), quantities


def population(as_of: date) -> dict:
    """{quantity: {segment or ALL: ascending values}} of the day, from the cache, else
    computed from a sample (every k-th account id, about SAMPLE_SIZE accounts; everyone in
    a smaller book) and cached. Each segment keeps at most POPULATION_POINTS order statistics."""
    key, quantities = _population_key(as_of)
    return run_cached(key, lambda: _population_cached(key, as_of, quantities))


def population_forget(as_of: date) -> None:
    """Drop the day's cached population (a run over every account recomputes it fresh)."""
    token = _RUN_CACHE.set({})
    try:
        django_cache.delete(_population_key(as_of)[0])
    finally:
        _RUN_CACHE.reset(token)


def _population_cached(key: str, as_of: date, quantities: dict) -> dict:
    cached = django_cache.get(key)
    if cached is None:
        cached = _population(as_of, quantities)
        django_cache.set(key, cached, POPULATION_TTL)
    return cached


def _population(as_of: date, quantities: dict) -> dict:
    """The day's population from the sample's figures (one grouped query each; a history
    computes many days at once with health.measures_activity_days.populations_days, the
    same quantities from the same figures)."""
    n = Account.objects.count()
    figs = _figures(as_of, EveryKth(max(1, -(-n // SAMPLE_SIZE))), _names())
    segments: dict[str, int] = {}
    for f in figs.values():
        segments[f.segment] = segments.get(f.segment, 0) + 1
    groups = [ALL] + sorted(s for s, count in segments.items() if count >= MIN_SEGMENT)
    out: dict = {}
    for name, fn in quantities.items():
        by_group: dict[str, list[float]] = {g: [] for g in groups}
        for f in figs.values():
            value = fn(f)
            if value is None:
                continue
            by_group[ALL].append(value)
            if f.segment in by_group:
                by_group[f.segment].append(value)
        out[name] = {g: _thin(np.sort(np.asarray(v, dtype=np.float64))) for g, v in by_group.items()}
    return out


def _thin(values) -> np.ndarray:
    """At most POPULATION_POINTS evenly spaced order statistics (all of them when fewer)."""
    arr = np.asarray(values, dtype=np.float64)
    if len(arr) <= POPULATION_POINTS:
        return arr
    return arr[np.linspace(0, len(arr) - 1, POPULATION_POINTS).round().astype(np.int64)]


def percentile(value: float, ranked) -> float:
    """Percentile rank (0-100) of `value` among `ranked` (ascending): the share below it plus
    half the share equal to it."""
    n = len(ranked)
    if not n:
        return 50.0
    below = int(np.searchsorted(ranked, value, side="left"))
    upto = int(np.searchsorted(ranked, value, side="right"))
    return round(100.0 * (below + upto) / (2 * n), 1)


def _ranked(name: str, fn, as_of: date, account_ids: Iterable[int] | None) -> dict[int, float | None]:
    """Each account's percentile of fn(figures) in its segment's population (vectorised:
    one searchsorted per segment, as `percentile` does for one value)."""
    figs = figures(as_of, _ids(account_ids))
    ranked = population(as_of).get(name, {})
    every = ranked.get(ALL)
    by_pool: dict[str, tuple[list[int], list[float]]] = {}
    for account_id, f in figs.items():
        value = fn(f)
        if value is None:
            continue
        group = f.segment if f.segment in ranked else ALL
        ids, values = by_pool.setdefault(group, ([], []))
        ids.append(account_id)
        values.append(value)
    result: dict[int, float | None] = {}
    for group, (ids, values) in by_pool.items():
        pool = ranked.get(group, every)
        if pool is None or not len(pool):
            result.update(dict.fromkeys(ids, 50.0))
            continue
        v = np.asarray(values, dtype=np.float64)
        below = np.searchsorted(pool, v, side="left")
        upto = np.searchsorted(pool, v, side="right")
        pct = np.round(100.0 * (below + upto) / (2 * len(pool)), 1)
        result.update(zip(ids, pct.tolist(), strict=True))
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


def _days(name: str, *args):
    """A compute_days from health.measures_activity_days (imported on first use)."""

    def compute_days(days, account_ids):
        from . import measures_activity_days

        fn = getattr(measures_activity_days, name)
        return fn(*args, days, account_ids) if args else fn(days, account_ids)

    return compute_days


PERCENTILE_POINTS = ((0, 0), (100, 100))
CHANGE_POINTS = ((-80, 0), (-40, 35), (-10, 65), (0, 75), (30, 100))

ACTIVITY_MEASURES = (
    Measure(
        key="history_days",
        label=_("History"),
        compute=history_days,
        compute_days=_days("history_days_days"),
        unit=_("days"),
        description=_(
            "Days since the first paid subscription or the account's creation; "
            "under 14 the score is marked insufficient history."
        ),
        default_points=((0, 0), (MIN_HISTORY_DAYS, 50), (90, 100)),
    ),
    Measure(
        key="activity_level",
        label=_("Activity vs segment"),
        compute=activity_level,
        compute_days=_days("percentile_days", "activity_level"),
        unit=_("percentile"),
        description=_("Events per day over the last 30 days, ranked among the accounts of the same segment."),
        default_points=PERCENTILE_POINTS,
    ),
    Measure(
        key="activity_baseline",
        label=_("Activity vs own baseline"),
        compute=activity_baseline,
        compute_days=_days("plain_days", "activity_baseline"),
        unit=_("change (%)"),
        description=_("Events per day over the last 30 days against the account's own 30 days before."),
        default_points=CHANGE_POINTS,
    ),
    Measure(
        key="activity_per_user",
        label=_("Activity per user"),
        compute=activity_per_user,
        compute_days=_days("percentile_days", "activity_per_user"),
        unit=_("percentile"),
        description=_("Events per active user (or paid seat) over the last 30 days, ranked within the segment."),
        default_points=PERCENTILE_POINTS,
    ),
)

KIND_UNITS = {
    EventMeasureKind.COUNT: _("events / 30 days"),
    EventMeasureKind.RATE_PER_USER: _("events per user"),
    EventMeasureKind.DISTINCT_DAYS: _("days / 30"),
    EventMeasureKind.TREND: _("change (%)"),
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
        compute_days=_days("percentile_days" if calibrated else "plain_days", em.measure_key),
        unit=_("percentile") if calibrated else KIND_UNITS[EventMeasureKind(em.kind)],
        # lazy: the registry caches measures across requests in every language
        description=format_lazy("{}: {}", EventMeasureKind(em.kind).label, ", ".join(em.event_names)),
        default_points=PERCENTILE_POINTS if calibrated else KIND_POINTS[EventMeasureKind(em.kind)],
    )


def event_measures_load() -> list[Measure]:
    """Every EventMeasure as a Measure (the registry's "event:" source)."""
    return [event_measure(em) for em in EventMeasure.objects.all()]
