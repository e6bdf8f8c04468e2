"""The measures health itself provides (registered in HealthConfig.ready()). Each one is
set-based: one or two queries for all accounts (or the given ones), as of the end of day
`as_of` (UTC). Usage measures read the daily rollups (usage.rollups), never raw events.

Raw values:
- usage_frequency: days with any event in the last 30 (0-30). No usage = 0, not "no data".
- breadth: distinct active contacts in the last 30 days / paid seats on `as_of` (or the
  account's known contacts when no subscription has seats), in percent.
- depth: distinct key features (HealthSettings.key_features) used in the last 30 days /
  number of key features, in percent. No key features configured = no data.
- usage_trend: events in the last 30 days against the 30 before, change in percent,
  capped at +100 (no data when both windows are empty).
- open_tickets / escalated_tickets: tickets open at the end of `as_of` (escalated ones).
- days_to_renewal: days from `as_of` to the nearest end date of a paid subscription
  active that day (no data when every one is open-ended).
- mrr_change: MRR on `as_of` against 90 days before, in percent (no data when it was 0).
- csm_sentiment: the CSM's latest 1-5 on or before `as_of`; no data once it is older
  than HealthSettings.sentiment_stale_days (the account page flags it stale).
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from django.db.models import Count, Min, Q, Sum
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, Contact, Subscription, SupportTicket
from usage.rollups import UsageWindow, account_filter, usage_window_stats

from .models import CsmSentiment, HealthSettings
from .registry import _RUN_CACHE, Measure, run_cached

TREND_CAP = 100.0
MRR_LOOKBACK_DAYS = 90

# Tuned on three books (docs/health.md, "Evaluation"): activity ranked within the segment and
# against the account's own baseline, tenure (history), renewal proximity and the event
# measures the default scorecard picks from the events seen (DEFAULT_EVENT_WEIGHT each)
# carry most. usage_frequency (saturates: every busy account is active most days),
# usage_trend (activity_baseline calibrates it per day of life) and breadth (activity_per_user
# ranks usage per active user or seat) stay in the library, off the default. Measures without
# data on an install (no seats, surveys, tickets...) get no weight. The default scorecard
# holds exactly these keys (those registered).
DEFAULT_WEIGHTS = {
    "activity_level": 20,
    "activity_baseline": 10,
    "activity_per_user": 15,
    "history_days": 10,
    "depth": 10,
    "nps": 10,
    "csat": 5,
    "open_tickets": 5,
    "escalated_tickets": 5,
    "days_to_renewal": 15,
    "mrr_change": 5,
    "onboarding_progress": 5,
    "csm_sentiment": 5,
}


def end_of_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def _ids(account_ids: Iterable[int] | None) -> list[int] | None:
    if account_ids is None or isinstance(account_ids, list):
        return account_ids
    return list(account_ids)


def _all_ids(account_ids: list[int] | None) -> list[int]:
    if account_ids is not None:
        return account_ids
    return list(Account.objects.values_list("id", flat=True))


def _settings() -> HealthSettings:
    cache = _RUN_CACHE.get()
    if cache is not None and "settings" in cache:
        return cache["settings"]
    value = HealthSettings.load()
    if cache is not None:
        cache["settings"] = value
    return value


def _usage(as_of: date, account_ids: list[int] | None) -> dict[int, UsageWindow]:
    key_features = tuple(_settings().key_features)
    cache = _RUN_CACHE.get()
    cache_key = ("usage", as_of, None if account_ids is None else tuple(account_ids), key_features)
    if cache is not None and cache_key in cache:
        return cache[cache_key]
    stats = usage_window_stats(as_of=as_of, account_ids=account_ids, key_features=key_features)
    if cache is not None:
        cache[cache_key] = stats
    return stats


class _Subs(NamedTuple):
    seats: int | None  # paid seats active on as_of
    next_end: date | None  # nearest end date of a paid subscription active on as_of
    mrr_now: float | None  # paid MRR active on as_of
    mrr_before: float | None  # paid MRR active MRR_LOOKBACK_DAYS before


def _subscriptions(as_of: date, account_ids: list[int] | None) -> dict[int, _Subs]:
    """Per account, the paid-subscription figures of seats, days to renewal and MRR change,
    in one query for the run (conditional aggregates over both days); the accounts with a
    paid subscription active on either day."""
    return _paid_subscriptions(as_of, account_ids)[0]


def paid_seats_and_starts(as_of: date, account_ids: list[int] | None) -> dict[int, tuple[int | None, date]]:
    """Per account with any paid subscription: (seats of those active on `as_of`, the first
    start date of any), for the calibrated measures' history: the same statement as
    _subscriptions (health.sql.activity.paid_seats_and_start gives the same, alone)."""
    return _paid_subscriptions(as_of, account_ids)[1]


def _paid_subscriptions(as_of: date, account_ids: list[int] | None) -> tuple[dict[int, _Subs], dict]:
    cache = _RUN_CACHE.get()
    cache_key = ("subs", as_of, None if account_ids is None else tuple(account_ids))
    if cache is not None and cache_key in cache:
        return cache[cache_key]
    before = as_of - timedelta(days=MRR_LOOKBACK_DAYS)

    def active(day: date) -> Q:
        return (Q(end_date__isnull=True) | Q(end_date__gt=day)) & Q(start_date__lte=day)

    subs = account_filter(Subscription.objects.paid(), account_ids)
    rows = (
        subs.values("account_id")
        .annotate(
            seats=Sum("seats", filter=active(as_of) & Q(seats__isnull=False)),
            next_end=Min("end_date", filter=active(as_of) & Q(end_date__isnull=False)),
            mrr_now=Sum("mrr", filter=active(as_of)),
            mrr_before=Sum("mrr", filter=active(before)),
            listed=Count("id", filter=active(as_of) | active(before)),
            first=Min("start_date"),
        )
        .values_list("account_id", "seats", "next_end", "mrr_now", "mrr_before", "listed", "first")
        .order_by()
    )
    listed: dict[int, _Subs] = {}
    starts: dict[int, tuple[int | None, date]] = {}
    for account_id, seats, next_end, mrr_now, before_, n, first in rows:
        starts[account_id] = (seats, first)
        if n:
            now_ = None if mrr_now is None else float(mrr_now)
            listed[account_id] = _Subs(seats, next_end, now_, None if before_ is None else float(before_))
    result = listed, starts
    if cache is not None:
        cache[cache_key] = result
    return result


def _seats(as_of: date, account_ids: list[int] | None) -> dict[int, int]:
    seats = {i: s.seats for i, s in _subscriptions(as_of, account_ids).items() if s.seats}
    # Accounts without seats fall back to the contacts known at the time.
    contacts = account_filter(
        Contact.objects.filter(account__isnull=False, created_at__lt=end_of_day(as_of)), account_ids
    )
    for row in contacts.values("account_id").annotate(n=Count("id")):
        seats.setdefault(row["account_id"], row["n"])
    return seats


# Section: compute functions


def usage_frequency(as_of: date, account_ids: Iterable[int] | None) -> dict[int, float | None]:
    ids = _ids(account_ids)
    stats = _usage(as_of, ids)
    return {i: float(stats[i].active_days) if i in stats else 0.0 for i in _all_ids(ids)}


def breadth(as_of: date, account_ids: Iterable[int] | None) -> dict[int, float | None]:
    ids = _ids(account_ids)
    stats = _usage(as_of, ids)
    result: dict[int, float | None] = {}
    for account_id, seats in _seats(as_of, ids).items():
        active = stats[account_id].active_contacts if account_id in stats else 0
        result[account_id] = round(min(100.0, 100.0 * active / seats), 1)
    return result


def depth(as_of: date, account_ids: Iterable[int] | None) -> dict[int, float | None]:
    ids = _ids(account_ids)
    n_keys = len(set(_settings().key_features))
    if not n_keys:
        return {}
    stats = _usage(as_of, ids)
    return {i: round(100.0 * (stats[i].key_features_used if i in stats else 0) / n_keys, 1) for i in _all_ids(ids)}


def usage_trend(as_of: date, account_ids: Iterable[int] | None) -> dict[int, float | None]:
    stats = _usage(as_of, _ids(account_ids))
    result: dict[int, float | None] = {}
    for account_id, s in stats.items():
        if s.events_prev:
            result[account_id] = round(min(TREND_CAP, 100.0 * (s.events - s.events_prev) / s.events_prev), 1)
        elif s.events:
            result[account_id] = TREND_CAP
    return result


def _ticket_counts(as_of: date, account_ids: list[int] | None) -> dict[int, tuple[int, int]]:
    """Per account, (open, escalated open) tickets at the end of `as_of`: one query serves
    both measures within a run."""
    cache = _RUN_CACHE.get()
    cache_key = ("tickets", as_of, None if account_ids is None else tuple(account_ids))
    if cache is not None and cache_key in cache:
        return cache[cache_key]
    moment = end_of_day(as_of)
    tickets = SupportTicket.objects.filter(opened_at__lt=moment).filter(
        Q(resolved_at__isnull=True) | Q(resolved_at__gte=moment)
    )
    tickets = account_filter(tickets, account_ids)
    counts = {
        account_id: (n, e)
        for account_id, n, e in tickets.values("account_id")
        .annotate(n=Count("id"), e=Count("id", filter=Q(escalated=True)))
        .values_list("account_id", "n", "e")
    }
    if cache is not None:
        cache[cache_key] = counts
    return counts


def tickets_in_use() -> bool:
    """Does this install track tickets at all? Without any, "0 open tickets" is no data
    (its weight goes to the measures that have some), not a perfect score for everyone."""
    return run_cached("tickets_in_use", SupportTicket.objects.exists)


def _tickets(as_of: date, account_ids: list[int] | None, escalated: bool) -> dict[int, float | None]:
    if not tickets_in_use():
        return {}
    counts = _ticket_counts(as_of, account_ids)
    index = 1 if escalated else 0
    return {i: float(counts[i][index]) if i in counts else 0.0 for i in _all_ids(account_ids)}


def open_tickets(as_of: date, account_ids: Iterable[int] | None) -> dict[int, float | None]:
    return _tickets(as_of, _ids(account_ids), escalated=False)


def escalated_tickets(as_of: date, account_ids: Iterable[int] | None) -> dict[int, float | None]:
    return _tickets(as_of, _ids(account_ids), escalated=True)


def days_to_renewal(as_of: date, account_ids: Iterable[int] | None) -> dict[int, float | None]:
    return {
        i: float((s.next_end - as_of).days)
        for i, s in _subscriptions(as_of, _ids(account_ids)).items()
        if s.next_end is not None
    }


def mrr_change(as_of: date, account_ids: Iterable[int] | None) -> dict[int, float | None]:
    return {
        account_id: round(100.0 * ((s.mrr_now or 0.0) - s.mrr_before) / s.mrr_before, 1)
        for account_id, s in _subscriptions(as_of, _ids(account_ids)).items()
        if s.mrr_before is not None and s.mrr_before > 0
    }


def csm_sentiment(as_of: date, account_ids: Iterable[int] | None) -> dict[int, float | None]:
    ids = _ids(account_ids)
    moment = end_of_day(as_of)
    fresh_after = moment - timedelta(days=_settings().sentiment_stale_days)
    rows = account_filter(CsmSentiment.objects.filter(recorded_at__lt=moment), ids)
    latest: dict[int, float | None] = {}
    # Latest per account: ordered newest first, first seen wins (one query, no per-account loop).
    for account_id, value, recorded_at in rows.order_by("account_id", "-recorded_at", "-id").values_list(
        "account_id", "value", "recorded_at"
    ):
        if account_id not in latest:
            latest[account_id] = float(value) if recorded_at >= fresh_after else None
    return {k: v for k, v in latest.items() if v is not None}


# Section: registration


def _days(name: str):
    """`Measure.compute_days` from health.measures_days, imported on first use (numpy)."""

    def compute_days(days, account_ids):
        from . import measures_days

        return getattr(measures_days, name)(days, account_ids)

    compute_days.__name__ = name
    return compute_days


HEALTH_MEASURES = (
    Measure(
        key="usage_frequency",
        label=_("Usage frequency"),
        compute=usage_frequency,
        compute_days=_days("usage_frequency_days"),
        unit=_("active days / 30"),
        description=_("Days with any product usage in the last 30 days."),
        default_points=((0, 0), (4, 30), (12, 70), (20, 100)),
    ),
    Measure(
        key="breadth",
        label=_("Breadth"),
        compute=breadth,
        compute_days=_days("breadth_days"),
        unit=_("share of seats (%)"),
        description=_("Distinct active users in the last 30 days over paid seats."),
        default_points=((0, 0), (20, 40), (50, 80), (70, 100)),
    ),
    Measure(
        key="depth",
        label=_("Depth"),
        compute=depth,
        compute_days=_days("depth_days"),
        unit=_("share of key features (%)"),
        description=_("Share of the configured key features used in the last 30 days."),
        default_points=((0, 0), (25, 40), (50, 70), (75, 100)),
    ),
    Measure(
        key="usage_trend",
        label=_("Usage trend"),
        compute=usage_trend,
        compute_days=_days("usage_trend_days"),
        unit=_("change (%)"),
        description=_("Events in the last 30 days against the 30 days before."),
        default_points=((-60, 0), (-30, 30), (0, 70), (20, 100)),
    ),
    Measure(
        key="open_tickets",
        label=_("Open tickets"),
        compute=open_tickets,
        compute_days=_days("open_tickets_days"),
        unit=_("tickets"),
        higher_is_better=False,
        description=_("Support tickets open at the end of the day."),
        default_points=((0, 100), (2, 70), (5, 30), (10, 0)),
    ),
    Measure(
        key="escalated_tickets",
        label=_("Escalated tickets"),
        compute=escalated_tickets,
        compute_days=_days("escalated_tickets_days"),
        unit=_("tickets"),
        higher_is_better=False,
        description=_("Escalated support tickets open at the end of the day."),
        default_points=((0, 100), (1, 50), (3, 0)),
    ),
    Measure(
        key="days_to_renewal",
        label=_("Days to renewal"),
        compute=days_to_renewal,
        compute_days=_days("days_to_renewal_days"),
        unit=_("days"),
        description=_("Days until the nearest paid subscription ends (renewal risk rises as it nears)."),
        default_points=((0, 30), (30, 50), (90, 80), (180, 100)),
    ),
    Measure(
        key="mrr_change",
        label=_("MRR change"),
        compute=mrr_change,
        compute_days=_days("mrr_change_days"),
        unit=_("change over 90 days (%)"),
        description=_("MRR today against 90 days ago."),
        default_points=((-50, 0), (-10, 40), (0, 70), (20, 100)),
    ),
    Measure(
        key="csm_sentiment",
        label=_("CSM sentiment"),
        compute=csm_sentiment,
        compute_days=_days("csm_sentiment_days"),
        unit=_("1-5"),
        description=_("The CSM's own read of the account; ignored once stale."),
        default_points=((1, 0), (2, 25), (3, 50), (4, 75), (5, 100)),
    ),
)
