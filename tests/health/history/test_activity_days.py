"""The calibrated and event measures over many days (compute_days) equal `compute` day by day."""

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from health import measures_activity as ma
from health.models import EventMeasure, EventMeasureKind
from health.registry import _RUN_CACHE, MEASURES, measures_refresh
from tests.factories.accounts import AccountFactory, ContactFactory, SubscriptionFactory
from tests.factories.health import at
from tests.factories.usage import UsageEventFactory
from usage.rollups import usage_rollup_rebuild

pytestmark = pytest.mark.django_db

D = date(2026, 3, 31)


def test_compute_days_equals_compute(monkeypatch):
    monkeypatch.setattr(ma, "MIN_SEGMENT", 2)
    accounts = []
    for i in range(6):
        acc = AccountFactory(
            segment="a" if i % 2 else "b", created_at=datetime(2025, 12, 1, tzinfo=UTC) + timedelta(days=15 * i)
        )
        if i % 3 == 0:
            SubscriptionFactory(account=acc, seats=3 + i, start_date=date(2025, 11, 1) + timedelta(days=10 * i))
        contact = ContactFactory(account=acc) if i % 2 else None
        for offset in range(0, 80, 1 + i):
            UsageEventFactory(
                account=acc,
                contact=contact,
                event=("login", "export", "share")[offset % 3],
                occurred_at=at(D - timedelta(days=offset)),
            )
        accounts.append(acc)
    usage_rollup_rebuild()
    for kind in EventMeasureKind:
        for calibrated in (True, False):
            EventMeasure.objects.create(
                slug=f"{kind.value.replace('_', '-')}-{int(calibrated)}",
                label=str(kind.label),
                event_names=["login", "export"],
                kind=kind,
                calibrated=calibrated,
            )
    measures_refresh()
    days = [D - timedelta(days=k) for k in (40, 20, 7, 1, 0)]
    ids = sorted(a.id for a in accounts)
    keys = ["history_days", "activity_level", "activity_baseline", "activity_per_user"] + [
        k for k in MEASURES if k.startswith("event:")
    ]
    token = _RUN_CACHE.set({})
    try:
        arrays = {k: MEASURES[k].compute_days(days, ids) for k in keys}
    finally:
        _RUN_CACHE.reset(token)
    for i, day in enumerate(days):
        token = _RUN_CACHE.set({})
        try:
            for key in keys:
                one = MEASURES[key].compute(day, ids)
                expected = np.array([np.nan if one.get(a) is None else one[a] for a in ids])
                np.testing.assert_array_equal(arrays[key][i], expected, err_msg=f"{key} on {day}")
        finally:
            _RUN_CACHE.reset(token)
