"""Microsoft Graph calendar view delta against the fake: pages, deltaLink, @removed, 410."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.calendars.sync import calendar_sync
from conversations.models import Meeting, Provider
from tests.factories import AccountFactory, ContactFactory

from .events import graph_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(inbound):
    account = AccountFactory(domain="globex.example")
    ContactFactory(account=account, email="hank@globex.example")
    return account


def test_delta_pages_then_changes_only(fake, connect, customer):
    now = timezone.now()
    connection = connect(Provider.MICROSOFT)
    for i in range(5):  # three pages of two
        fake.state.put_graph_event(graph_event(f"m{i}", now + timedelta(days=i + 1), attendees=["hank@globex.example"]))
    first = calendar_sync(connection=connection)
    assert first.full and first.stored == 5
    assert "deltatoken=" in connection.calendar_cursor and "window_end" in connection.calendar_cursor
    fake.state.put_graph_event({"id": "m2", "@removed": {"reason": "deleted"}})
    fake.state.put_graph_event(
        graph_event("m3", now + timedelta(days=9), attendees=["hank@globex.example"], isCancelled=True)
    )
    fake.state.requests.clear()
    second = calendar_sync(connection=connection)
    assert not second.full and second.events == 2
    assert "deltatoken=" in fake.state.requests[0][1]
    assert sorted(Meeting.objects.values_list("external_id", flat=True)) == ["m0", "m1", "m4"]
    assert Meeting.objects.get(external_id="m0").location == "Teams"


def test_past_occurrence_of_a_series_is_a_touch(fake, connect, customer):
    start = timezone.now() - timedelta(hours=5)
    connection = connect(Provider.MICROSOFT)
    fake.state.put_graph_event(
        graph_event("occ1", start, attendees=["hank@globex.example"], type="occurrence", seriesMasterId="series")
    )
    calendar_sync(connection=connection)
    customer.refresh_from_db()
    meeting = Meeting.objects.get()
    assert meeting.activity is not None and customer.last_touch_at == meeting.starts_at


def test_stale_delta_link_starts_over(fake, connect, customer):
    connection = connect(Provider.MICROSOFT)
    fake.state.put_graph_event(graph_event("a", timezone.now() + timedelta(days=1), attendees=["hank@globex.example"]))
    calendar_sync(connection=connection)
    fake.state.expire_tokens = True
    assert calendar_sync(connection=connection).full
    assert Meeting.objects.filter(external_id="a").exists()


def test_the_window_rolls_forward(fake, connect, customer, settings):
    connection = connect(Provider.MICROSOFT)
    calendar_sync(connection=connection)
    later = timezone.now() + timedelta(days=settings.CONVERSATIONS_MEETINGS_AHEAD_DAYS)
    assert calendar_sync(connection=connection, now=later).full
