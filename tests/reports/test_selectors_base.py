"""reports.selectors.base: whether the pre-aggregate may be read, and the slice."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from reports.freshness import mark_data_changed
from reports.selectors import Filters, cube_is_fresh, in_cube, last_refresh
from tests.factories import ExpansionSignalFactory, MetricCubeFactory, RefreshLogFactory

pytestmark = pytest.mark.django_db


def test_the_latest_finished_refresh_is_the_one_read():
    # given
    RefreshLogFactory(started_at=timezone.now() - timedelta(days=1))
    latest = RefreshLogFactory()
    RefreshLogFactory(finished_at=None)  # still running
    # then
    assert last_refresh() == latest


def test_a_refresh_older_than_the_last_change_is_not_fresh():
    # given
    refresh = RefreshLogFactory(
        started_at=timezone.now() - timedelta(minutes=5), cube_periods=[["2024-05-01", "2024-06-01"]]
    )
    assert cube_is_fresh(refresh)
    assert in_cube(refresh, date(2024, 5, 1), date(2024, 6, 1))
    assert not in_cube(refresh, date(2024, 5, 1), date(2024, 5, 15))
    # when
    mark_data_changed()
    # then: a page reads the refresh again (freshness is decided once per object read)
    assert cube_is_fresh(refresh)
    refresh = last_refresh()
    assert not cube_is_fresh(refresh)
    assert not in_cube(refresh, date(2024, 5, 1), date(2024, 6, 1))
    assert not cube_is_fresh(None)


def test_filters_slice_the_pre_aggregate_rows():
    # given
    MetricCubeFactory(segment="SMB", tier="standard", owner_id=None)
    MetricCubeFactory(segment="Enterprise", tier="premium", owner_id=7)
    from reports.models import MetricCube

    # then
    assert Filters().is_everyone
    assert MetricCube.objects.filter(Filters(segment="SMB").q()).count() == 1
    assert MetricCube.objects.filter(Filters(tier="premium", owner_id=7).q()).count() == 1
    assert Filters(segment="SMB", owner_id=3).key() == "SMB||3"


def test_expansion_signals_come_from_todays_pre_aggregate():
    from reports.selectors import expansion_signals_for

    # given
    RefreshLogFactory()
    signal = ExpansionSignalFactory(ratio=0.95)
    # when
    rows, source = expansion_signals_for(owner_id=signal.owner_id, today=timezone.now().date())
    # then
    assert source == "pre-aggregate"
    assert [r["account_id"] for r in rows] == [signal.account_id]
