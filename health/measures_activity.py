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
usage_window_stats, shared through the run cache), the subscriptions statement of the
subscription measures (health.measures._paid_subscriptions, shared too) and, with
event measures, one rollup aggregate (health.sql.activity), as arrays; the quantities and
percentile ranks are array arithmetic (health.activity_arrays, shared with a history).
Percentiles rank against the day's population per segment, from a sample of about
SAMPLE_SIZE accounts (every k-th id; exact below that), computed once per day and cached
(the Django cache, Redis when configured) so a chunk of the nightly run or one account on
demand only ranks against it; a run over every account computes it on a second thread while
its first chunk is read (population_prefetch).
"""

import hashlib
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from datetime import UTC, date

import numpy as np
from django.core.cache import cache as django_cache
from django.db.models import Max
from django.db.models.functions import TruncDate
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Account

from .activity_arrays import ALL, quantity, ranked_rows
from .measures import _ids, _usage, paid_seats_and_starts
from .measures_days import columns
from .models import EventMeasure, EventMeasureKind
from .registry import _RUN_CACHE, Measure, run_cached
from .sql.activity import EveryKth, event_rows, narrow

MIN_HISTORY_DAYS = 14
HISTORY_CAP = 365
SAMPLE_SIZE = 3000  # accounts of the population sample (every k-th id)
POPULATION_POINTS = 1000  # a segment's values kept as at most this many order statistics
MIN_SEGMENT = 30  # segments with fewer sampled accounts rank against every account
POPULATION_TTL = 6 * 3600
_PREFETCH_LOCK = threading.Lock()
_PREFETCHED: dict[str, Future] = {}  # population key -> its computation started by population_prefetch

# Section: the figures of one day (health.activity_arrays' `fd`, 1 x accounts)


def _event_measures() -> list[EventMeasure]:
    cache = _RUN_CACHE.get()
    if cache is not None and "event_measures" in cache:
        return cache["event_measures"]
    rows = list(EventMeasure.objects.all())
    if cache is not None:
        cache["event_measures"] = rows
    return rows


def _names() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The event names the event measures count, those whose distinct days a measure reads,
    and those a trend needs the month before of."""
    measures = _event_measures()

    def of(*kinds) -> tuple[str, ...]:
        return tuple(sorted({n for em in measures if not kinds or em.kind in kinds for n in em.event_names}))

    return of(), of(EventMeasureKind.DISTINCT_DAYS), of(EventMeasureKind.TREND)


def figures(as_of: date, account_ids: Sequence[int] | None) -> dict:
    """The figures of these accounts (every account when None) on `as_of`, as 1 x accounts
    arrays (health.activity_arrays), `ids` ascending: the usage window the usage measures
    share (run-cached), then the accounts, their paid subscriptions and, with event
    measures, one rollup aggregate."""
    names = _names()
    key = ("activity", as_of, None if account_ids is None else tuple(account_ids), names)
    return run_cached(key, lambda: _figures(as_of, account_ids, names))


def _at(ids: np.ndarray, fetched: Sequence[int], values) -> np.ndarray:
    """An int64 array over `ids` (ascending) holding `values` at the `fetched` ids, 0 elsewhere."""
    out = np.zeros(len(ids), dtype=np.int64)
    if len(fetched) and len(ids):
        cols, ok = columns(ids, fetched)
        out[cols[ok]] = np.asarray(values, dtype=np.int64)[ok]
    return out


def _figures(as_of: date, account_ids, names: tuple) -> dict:
    """`account_ids`: a list, an AccountRange, None (all) or an EveryKth sample (read as its
    list of ids: an index lookup each, not a scan of every account's rollups)."""
    event_names, day_names, prior_names = names
    rows = narrow(Account.objects.all(), account_ids, field="id")
    accounts = sorted(
        rows.annotate(created=TruncDate("created_at", tzinfo=UTC)).values_list("id", "created", "segment").order_by()
    )
    if isinstance(account_ids, EveryKth):
        account_ids = None if account_ids.k <= 1 else [a[0] for a in accounts]
    ids = np.array([a[0] for a in accounts], dtype=np.int64)
    stats = _usage(as_of, account_ids)
    subs = paid_seats_and_starts(as_of, account_ids)  # the statement _subscriptions runs
    start = np.array([a[1].toordinal() for a in accounts], dtype=np.int64)
    if subs:
        first = _at(ids, list(subs), [s[1].toordinal() for s in subs.values()])
        start = np.where((first > 0) & (first < start), first, start)
    history = np.clip(as_of.toordinal() - start + 1, 0, HISTORY_CAP)
    seats = _at(ids, list(subs), [s[0] or 0 for s in subs.values()])
    usage = list(stats.values())
    e30 = _at(ids, list(stats), [u[1] for u in usage])
    eprior = _at(ids, list(stats), [u[2] for u in usage])
    contacts = _at(ids, list(stats), [u[3] or 0 for u in usage])
    fd = {
        "ids": ids,
        "history": history[None, :],
        "e30": e30[None, :],
        "eprior": eprior[None, :],
        "users": np.where(contacts > 0, contacts, seats)[None, :],
        "segments": np.array([a[2] for a in accounts], dtype=object),
        "named": {},
    }
    if event_names:
        fetched, matrix = event_rows(
            as_of=as_of, account_ids=account_ids, names=event_names, day_names=day_names, prior_names=prior_names
        )
        zeros = np.zeros((1, len(ids)), dtype=np.int64)

        def column(offset: int, among: tuple[str, ...], name: str) -> np.ndarray:
            if name not in among:
                return zeros
            return _at(ids, fetched, matrix[:, offset + among.index(name)])[None, :]

        n, d = len(event_names), len(day_names)
        for name in event_names:
            fd["named"][name] = (
                column(0, event_names, name),
                column(n, day_names, name),
                column(n + d, prior_names, name),
            )
    return fd


def _values(fd: dict, row: np.ndarray) -> dict[int, float | None]:
    """{account id: value} of a 1 x accounts row, NaN (no data) left out."""
    return {i: v for i, v in zip(fd["ids"].tolist(), row.tolist(), strict=True) if v == v}


# Section: populations (percentile within the segment)


def _fingerprint() -> int | None:
    """The highest account id (an index read): a population cached for a day is reused
    until accounts are added. A run over every account recomputes it (population_forget)."""
    return Account.objects.aggregate(top=Max("id"))["top"]


def _quantities() -> list[str]:
    """The ranked quantities: activity_level, activity_per_user, the calibrated event measures
    (but trends) by measure key."""
    out = ["activity_level", "activity_per_user"]
    for em in _event_measures():
        if em.calibrated and em.kind != EventMeasureKind.TREND:
            out.append(em.measure_key)
    return out


def _population_key(as_of: date) -> tuple[str, list[str]]:
    """The day's population's cache key and its quantities (once per run: each ranked
    measure asks)."""

    def compute() -> tuple[str, list[str]]:
        quantities = _quantities()
        signature = repr((as_of.isoformat(), sorted(quantities), _names(), _fingerprint()))
        return "health:population:" + hashlib.sha1(signature.encode()).hexdigest(), quantities

    return run_cached(("population_key", as_of), compute)


def population(as_of: date) -> dict:
    """{quantity: {segment or ALL: ascending values}} of the day, from the cache, else
    computed from a sample (every k-th account id, about SAMPLE_SIZE accounts; everyone in
    a smaller book) and cached. Each segment keeps at most POPULATION_POINTS order statistics."""
    key, quantities = _population_key(as_of)
    return run_cached(key, lambda: _population_cached(key, as_of, quantities))


def population_prefetch(as_of: date, keys: Iterable[str], submit: Callable[..., Future]) -> bool:
    """Start computing the day's population with `submit` (a worker thread's, on its own
    connection) when any of the measure `keys` ranks against it: a run over every account
    overlaps it with reading its first chunk, whose ranked measures then wait for it
    (population) instead of computing it again. Returns whether it started; the run ends
    with population_prefetch_end."""
    key, quantities = _population_key(as_of)
    if not set(keys) & set(quantities):
        return False
    with _PREFETCH_LOCK:
        if key not in _PREFETCHED:
            _PREFETCHED[key] = submit(_population_store, key, as_of, quantities)
    return True


def population_prefetch_end() -> None:
    """Forget the prefetched populations (the end of the run that started them)."""
    with _PREFETCH_LOCK:
        _PREFETCHED.clear()


def _population_store(key: str, as_of: date, quantities: list[str]) -> dict:
    value = _population(as_of, quantities)
    django_cache.set(key, value, POPULATION_TTL)
    return value


def population_forget(as_of: date) -> None:
    """Drop the day's cached population (a run over every account recomputes it fresh)."""
    token = _RUN_CACHE.set({})
    try:
        django_cache.delete(_population_key(as_of)[0])
    finally:
        _RUN_CACHE.reset(token)


def _population_cached(key: str, as_of: date, quantities: list[str]) -> dict:
    with _PREFETCH_LOCK:
        prefetched = _PREFETCHED.get(key)
    if prefetched is not None:
        return prefetched.result()
    cached = django_cache.get(key)
    if cached is None:
        cached = _population_store(key, as_of, quantities)
    return cached


def _population(as_of: date, quantities: list[str]) -> dict:
    """The day's population from the sample's figures (a history computes many days at once
    with health.measures_activity_days.populations_days, the same quantities from the same
    figures)."""
    n = Account.objects.count()
    fd = _figures(as_of, EveryKth(max(1, -(-n // SAMPLE_SIZE))), _names())
    return population_of(fd, quantities)[0]


def population_of(fd: dict, quantities: Iterable[str]) -> list[dict]:
    """Each day's {quantity: {group: ascending values}} of a sample's figures: every sampled
    account (ALL) and each segment with at least MIN_SEGMENT of them."""
    segments = fd["segments"]
    groups: dict[str, np.ndarray] = {ALL: np.ones(len(segments), dtype=bool)} if len(segments) else {}
    for segment in sorted(set(segments.tolist())):
        mask = segments == segment
        if mask.sum() >= MIN_SEGMENT:
            groups[segment] = mask
    n_days = fd["history"].shape[0]
    out: list[dict] = [{} for _ in range(n_days)]
    ems = _event_measures()
    for name in quantities:
        values = quantity(name, fd, ems) if len(segments) else None
        for i in range(n_days):
            out[i][name] = {}
            if values is None:
                continue
            row = values[i]
            for segment, mask in groups.items():
                v = row[mask]
                out[i][name][segment] = _thin(np.sort(v[~np.isnan(v)]))
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


def _ranked(name: str, as_of: date, account_ids: Iterable[int] | None) -> dict[int, float | None]:
    """Each account's percentile of the quantity in its segment's population (arrays:
    health.activity_arrays.ranked_rows, as a history ranks every day)."""
    fd = figures(as_of, _ids(account_ids))
    values = quantity(name, fd, _event_measures())
    return _values(fd, ranked_rows(values, fd["segments"], [population(as_of).get(name, {})])[0])


def _plain(name: str, as_of: date, account_ids: Iterable[int] | None) -> dict[int, float | None]:
    fd = figures(as_of, _ids(account_ids))
    return _values(fd, quantity(name, fd, _event_measures())[0])


# Section: compute functions


def history_days(as_of: date, account_ids: Iterable[int] | None) -> dict[int, float | None]:
    fd = figures(as_of, _ids(account_ids))
    history = fd["history"][0].astype(np.float64)
    return _values(fd, np.where(history > 0, history, np.nan))


def activity_level(as_of: date, account_ids: Iterable[int] | None) -> dict[int, float | None]:
    return _ranked("activity_level", as_of, account_ids)


def activity_baseline(as_of: date, account_ids: Iterable[int] | None) -> dict[int, float | None]:
    return _plain("activity_baseline", as_of, account_ids)


def activity_per_user(as_of: date, account_ids: Iterable[int] | None) -> dict[int, float | None]:
    return _ranked("activity_per_user", as_of, account_ids)


def event_compute(em: EventMeasure):
    """The compute function of one EventMeasure (percentile in the segment when calibrated)."""

    def compute(as_of: date, account_ids: Iterable[int] | None) -> dict[int, float | None]:
        current = {e.slug: e for e in _event_measures()}.get(em.slug, em)
        if current.calibrated and current.kind != EventMeasureKind.TREND:
            return _ranked(current.measure_key, as_of, account_ids)
        return _plain(current.measure_key, as_of, account_ids)

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
