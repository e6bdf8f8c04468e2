"""Google Calendar sync against the fake (Calendar API v3 events.list): full sync, syncToken
increments, cancelled instances, 410 Gone, 429 with Retry-After."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.choices import ActivityKind
from accounts.models import Activity
from conversations import remote
from conversations.calendars.sync import calendar_sync
from conversations.models import Meeting, Provider
from conversations.remote import RateLimited
from tests.factories import AccountFactory, ContactFactory

from .events import google_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(inbound):
    account = AccountFactory(domain="acme.example")
    contact = ContactFactory(account=account, email="ana@acme.example")
    return account, contact


def test_full_then_incremental(fake, connect, customer):
    account, contact = customer
    now = timezone.now()
    connection = connect(Provider.GOOGLE)
    fake.state.put_google_event(google_event("past", now - timedelta(days=2), attendees=["ana@acme.example"]))
    fake.state.put_google_event(google_event("next", now + timedelta(days=3), attendees=["bo@acme.example"]))
    fake.state.put_google_event(google_event("internal", now + timedelta(days=1), attendees=["x@team.example"]))
    fake.state.put_google_event(google_event("other", now + timedelta(days=1), attendees=["z@unknown.example"]))

    first = calendar_sync(connection=connection)

    assert first.full and first.stored == 2
    past, upcoming = Meeting.objects.get(external_id="past"), Meeting.objects.get(external_id="next")
    assert past.account == account and past.contact == contact
    assert upcoming.account == account and upcoming.contact is None  # matched by domain
    assert past.activity is not None and past.activity.kind == ActivityKind.MEETING
    assert upcoming.activity is None  # not a touch before it happens
    account.refresh_from_db()
    assert account.last_touch_at == past.starts_at
    # incremental: only the change is asked for and fetched
    fake.state.put_google_event(
        google_event("next", now + timedelta(days=4), attendees=["bo@acme.example"], title="Moved")
    )
    fake.state.requests.clear()
    second = calendar_sync(connection=connection)
    assert not second.full and second.events == 1
    assert "syncToken=sync-" in fake.state.requests[0][1]
    upcoming.refresh_from_db()
    assert upcoming.title == "Moved" and upcoming.starts_at.date() == (now + timedelta(days=4)).date()


def test_running_twice_stores_once(fake, connect, customer):
    connection = connect(Provider.GOOGLE)
    fake.state.put_google_event(google_event("e1", timezone.now() - timedelta(hours=3), attendees=["ana@acme.example"]))
    calendar_sync(connection=connection)
    connection.calendar_cursor = ""  # forget the token: a full sync again
    calendar_sync(connection=connection)
    assert Meeting.objects.count() == 1
    assert Activity.objects.filter(kind=ActivityKind.MEETING).count() == 1


def test_cancelled_meeting_leaves_the_timeline_and_the_touch(fake, connect, customer):
    account, _contact = customer
    connection = connect(Provider.GOOGLE)
    start = timezone.now() - timedelta(days=1)
    fake.state.put_google_event(google_event("gone", start, attendees=["ana@acme.example"]))
    calendar_sync(connection=connection)
    account.refresh_from_db()
    assert account.last_touch_at == start.replace(microsecond=0)
    fake.state.put_google_event({"id": "gone", "status": "cancelled"})
    result = calendar_sync(connection=connection)
    assert result.removed == 1
    assert not Meeting.objects.exists() and not Activity.objects.filter(kind=ActivityKind.MEETING).exists()
    account.refresh_from_db()
    assert account.last_touch_at is None


def test_recurring_instances_each_a_meeting(fake, connect, customer):
    connection = connect(Provider.GOOGLE)
    base = timezone.now() + timedelta(days=1)
    for week in range(3):  # singleEvents=true: Google sends the series' instances
        fake.state.put_google_event(
            google_event(
                f"weekly_2026{week}",
                base + timedelta(weeks=week),
                attendees=["ana@acme.example"],
                recurringEventId="weekly",
            )
        )
    calendar_sync(connection=connection)
    assert Meeting.objects.count() == 3
    fake.state.put_google_event({"id": "weekly_20261", "status": "cancelled", "recurringEventId": "weekly"})
    calendar_sync(connection=connection)  # one instance cancelled: the others stay
    assert sorted(Meeting.objects.values_list("external_id", flat=True)) == ["weekly_20260", "weekly_20262"]


def test_declined_meeting_is_not_kept(fake, connect, customer):
    connection = connect(Provider.GOOGLE)
    event = google_event("declined", timezone.now() - timedelta(hours=2), attendees=["ana@acme.example"])
    event["attendees"][0]["responseStatus"] = "declined"
    fake.state.put_google_event(event)
    calendar_sync(connection=connection)
    assert not Meeting.objects.exists()


def test_expired_sync_token_means_a_full_sync(fake, connect, customer):
    connection = connect(Provider.GOOGLE)
    fake.state.put_google_event(google_event("a", timezone.now() + timedelta(days=1), attendees=["ana@acme.example"]))
    calendar_sync(connection=connection)
    fake.state.expire_tokens = True
    result = calendar_sync(connection=connection)
    assert result.full
    assert Meeting.objects.filter(external_id="a").exists()
    assert "sync-" in connection.calendar_cursor


def test_rate_limit_short_wait_is_waited_out(fake, connect, customer, monkeypatch):
    waits = []
    monkeypatch.setattr(remote, "_sleep", waits.append)
    connection = connect(Provider.GOOGLE)
    fake.state.put_google_event(google_event("a", timezone.now() + timedelta(days=1), attendees=["ana@acme.example"]))
    fake.state.fail_next["/calendar/v3/"] = [2, 3]
    calendar_sync(connection=connection)
    assert waits == [3.0, 3.0]
    assert Meeting.objects.count() == 1


def test_rate_limit_long_wait_goes_back_to_the_queue_with_the_cursor_kept(fake, connect, customer):
    connection = connect(Provider.GOOGLE)
    fake.state.put_google_event(google_event("a", timezone.now() + timedelta(days=1), attendees=["ana@acme.example"]))
    calendar_sync(connection=connection)
    cursor = connection.calendar_cursor
    fake.state.fail_next["/calendar/v3/"] = [1, 120]
    with pytest.raises(RateLimited) as caught:
        calendar_sync(connection=connection)
    assert caught.value.retry_after == 120
    connection.refresh_from_db()
    assert connection.calendar_cursor == cursor
