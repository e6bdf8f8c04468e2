"""The calibrated measures and the admin's event measures (health.measures_activity):
percentile within the segment, change against the account's own baseline, per user or
seat, history, and each event-measure kind on hand-made events."""

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from health import measures_activity as ma
from health.activity_arrays import quantity
from health.measures import open_tickets, tickets_in_use
from health.models import EventMeasure, EventMeasureKind
from health.registry import _RUN_CACHE, MEASURES, measures_refresh
from tests.factories.accounts import AccountFactory, ContactFactory, SubscriptionFactory, SupportTicketFactory
from tests.factories.health import at
from tests.factories.usage import UsageEventFactory
from usage.rollups import usage_rollup_rebuild

pytestmark = pytest.mark.django_db

D = date(2026, 3, 31)
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)


def account(segment: str = "", created=LONG_AGO, **kwargs):
    return AccountFactory(segment=segment, created_at=created, **kwargs)


def events(acc, per_day: int, first: int, last: int, name: str = "view", contact=None):
    """`per_day` events a day on each of the days D-first .. D-last."""
    for offset in range(last, first + 1):
        for _ in range(per_day):
            UsageEventFactory(account=acc, event=name, contact=contact, occurred_at=at(D - timedelta(days=offset)))


@pytest.fixture(autouse=True)
def small_segments(monkeypatch):
    monkeypatch.setattr(ma, "MIN_SEGMENT", 2)


def test_percentile_arithmetic():
    assert ma.percentile(5, [1, 5, 5, 9]) == 50.0  # 1 below, 2 equal: (1 + 2/2) / 4
    assert ma.percentile(0, [1, 2]) == 0.0
    assert ma.percentile(10, [1, 2]) == 100.0
    assert ma.percentile(3, []) == 50.0


def test_activity_level_ranks_within_the_segment():
    low, mid, high = account("smb"), account("smb"), account("smb")
    big = account("enterprise"), account("enterprise")
    events(low, 1, 9, 0)
    events(mid, 2, 9, 0)
    events(high, 4, 9, 0)
    events(big[0], 20, 9, 0)
    events(big[1], 40, 9, 0)
    usage_rollup_rebuild()
    values = ma.activity_level(D, None)
    # Within smb: low, mid, high rank 1/3, 2/3, 3/3 (minus half of their own share).
    assert values[low.id] == pytest.approx(16.7)
    assert values[mid.id] == pytest.approx(50.0)
    assert values[high.id] == pytest.approx(83.3)
    # The enterprise accounts rank among themselves, not above everyone.
    assert values[big[0].id] == pytest.approx(25.0)
    # One account on demand ranks against the same cached population.
    assert ma.activity_level(D, [mid.id]) == {mid.id: pytest.approx(50.0)}


def test_no_usage_is_data_not_missing():
    busy, idle = account(), account()
    SubscriptionFactory(account=idle, start_date=D - timedelta(days=200))
    events(busy, 3, 20, 0)
    usage_rollup_rebuild()
    values = ma.activity_level(D, None)
    assert values[idle.id] < values[busy.id]  # idle is ranked lowest, not left out


def test_rate_is_per_day_of_life_for_young_accounts():
    old = account()
    young = account(created=at(D - timedelta(days=9)))
    events(old, 1, 29, 0)  # 30 events over 30 days
    events(young, 1, 9, 0)  # 10 events over its 10 days
    usage_rollup_rebuild()
    assert ma.history_days(D, [old.id, young.id])[young.id] == 10.0
    fd = ma.figures(D, [old.id, young.id])
    rates = dict(zip(fd["ids"].tolist(), quantity("activity_level", fd)[0].tolist(), strict=True))
    assert rates[young.id] == rates[old.id] == 1.0


def test_baseline_change_against_own_history():
    slowing = account()
    events(slowing, 2, 89, 30)  # 2 a day over the 60 days before
    events(slowing, 1, 29, 0)  # 1 a day now
    new = account(created=at(D - timedelta(days=35)))
    events(new, 1, 34, 0)
    usage_rollup_rebuild()
    values = ma.activity_baseline(D, None)
    assert values[slowing.id] == -50.0
    assert new.id not in values  # 5 days of baseline: too few (no data, no weight)


def test_per_user_and_per_seat():
    with_contacts, with_seats, neither = account(), account(), account()
    c1, c2 = ContactFactory(account=with_contacts), ContactFactory(account=with_contacts)
    events(with_contacts, 1, 19, 0, contact=c1)
    events(with_contacts, 1, 19, 0, contact=c2)  # 40 events, 2 active users: 20 each
    SubscriptionFactory(account=with_seats, seats=4, start_date=D - timedelta(days=300))
    events(with_seats, 2, 19, 0)  # 40 events, 4 seats: 10 each
    events(neither, 2, 19, 0)
    usage_rollup_rebuild()
    fd = ma.figures(D, None)
    per_user = dict(zip(fd["ids"].tolist(), quantity("activity_per_user", fd)[0].tolist(), strict=True))
    assert per_user[with_contacts.id] == 20.0
    assert per_user[with_seats.id] == 10.0
    assert np.isnan(per_user[neither.id])
    values = ma.activity_per_user(D, None)
    assert values[with_contacts.id] > values[with_seats.id]
    assert neither.id not in values


def test_history_days_of_a_three_day_old_account():
    fresh = account(created=at(D - timedelta(days=2)))
    events(fresh, 5, 2, 0)
    usage_rollup_rebuild()
    assert ma.history_days(D, [fresh.id]) == {fresh.id: 3.0}
    assert ma.MIN_HISTORY_DAYS > 3


def test_event_measure_kinds_on_hand_made_events():
    acc = account()
    c1, c2 = ContactFactory(account=acc), ContactFactory(account=acc)
    events(acc, 1, 89, 30, name="export")  # 60 exports before: 1 a day
    for offset in (0, 0, 1, 5):  # 4 exports on 3 days now
        UsageEventFactory(account=acc, event="export", contact=c1, occurred_at=at(D - timedelta(days=offset)))
    UsageEventFactory(account=acc, event="share", contact=c2, occurred_at=at(D))
    usage_rollup_rebuild()
    kinds = {}
    for kind in EventMeasureKind:
        em = EventMeasure.objects.create(
            slug=f"x-{kind.value}".replace("_", "-"),
            label=str(kind.label),
            event_names=["export"],
            kind=kind,
            calibrated=False,
        )
        kinds[kind] = em
    measures_refresh()
    assert MEASURES["event:x-count"].label == "Count"
    values = {kind: MEASURES[em.measure_key].compute(D, [acc.id])[acc.id] for kind, em in kinds.items()}
    assert values[EventMeasureKind.COUNT] == 4.0
    assert values[EventMeasureKind.RATE_PER_USER] == 2.0  # 4 exports, 2 active users
    assert values[EventMeasureKind.DISTINCT_DAYS] == 3.0
    assert values[EventMeasureKind.TREND] == -86.7  # 4/30 a day against 60/60
    # Deleted: gone from the library at the next refresh.
    kinds[EventMeasureKind.TREND].delete()
    measures_refresh()
    assert "event:x-trend" not in MEASURES


def test_calibrated_event_measure_is_a_percentile():
    a, b = account(), account()
    events(a, 1, 4, 0, name="login")
    events(b, 3, 4, 0, name="login")
    usage_rollup_rebuild()
    em = EventMeasure.objects.create(slug="logins", label="Logins", event_names=["login"], calibrated=True)
    measures_refresh()
    assert MEASURES[em.measure_key].compute(D, None) == {a.id: 25.0, b.id: 75.0}


def test_tickets_without_any_ticket_are_no_data():
    acc = account()
    token = _RUN_CACHE.set({})
    try:
        assert not tickets_in_use()
        assert open_tickets(D, [acc.id]) == {}
    finally:
        _RUN_CACHE.reset(token)
    SupportTicketFactory(account=AccountFactory())
    assert open_tickets(D, [acc.id]) == {acc.id: 0.0}
