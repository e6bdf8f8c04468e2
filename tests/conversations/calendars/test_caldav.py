"""CalDAV calendars against a real Radicale server: connect (credentials checked), events with
customer attendees become meetings, recurring events are expanded into instances, an event
deleted or cancelled on the server goes."""

from datetime import UTC, datetime, timedelta

import caldav
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Activity
from conversations.calendars.sync import calendar_sync
from conversations.connections import caldav_connect
from conversations.models import Meeting, Provider
from tests.factories import AccountFactory, ContactFactory

from .radicale_server import PASSWORD, USER, Radicale

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def radicale(tmp_path_factory):
    server = Radicale(tmp_path_factory.mktemp("radicale"))
    yield server
    server.stop()


@pytest.fixture
def calendar(radicale):
    """A fresh calendar collection for the test's events."""
    client = caldav.DAVClient(url=radicale.url, username=USER, password=PASSWORD)
    principal = client.principal()
    for existing in principal.calendars():
        existing.delete()
    return principal.make_calendar(name="Work")


def vevent(uid, start, *, minutes=45, attendees=(), summary="Onboarding call", extra=""):
    fmt = "%Y%m%dT%H%M%SZ"
    end = start + timedelta(minutes=minutes)
    people = "".join(f"ATTENDEE;CN={a.split('@')[0]}:mailto:{a}\r\n" for a in attendees)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//pulse tests//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:{datetime.now(UTC).strftime(fmt)}\r\n"
        f"DTSTART:{start.astimezone(UTC).strftime(fmt)}\r\nDTEND:{end.astimezone(UTC).strftime(fmt)}\r\n"
        f"SUMMARY:{summary}\r\nORGANIZER:mailto:csm@team.example\r\n{people}{extra}"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


@pytest.fixture
def customer(inbound):
    account = AccountFactory(domain="initech.example")
    ContactFactory(account=account, email="peter@initech.example")
    return account


def test_connect_checks_the_credentials(radicale, csm_user, calendar):
    with pytest.raises(ValidationError) as caught:
        caldav_connect(user=csm_user, url=radicale.url, username=USER, password="wrong")
    assert "password" in caught.value.message_dict
    connection = caldav_connect(user=csm_user, url=radicale.url, username=USER, password=PASSWORD)
    assert connection.provider == Provider.CALDAV and connection.password == PASSWORD
    assert PASSWORD not in connection.password_enc


def test_connect_form_shows_the_error_where_the_user_typed(radicale, csm_client, calendar):
    csm_client.get(reverse("conversations:connected"))
    response = csm_client.post(
        reverse("conversations:caldav_connect"), {"url": radicale.url, "username": USER, "password": "nope"}
    )
    assert response.status_code == 400
    assert "refused this user name and password" in response.content.decode()


def test_events_recurring_and_deleted(radicale, csm_user, calendar, customer):
    now = timezone.now().replace(microsecond=0)
    calendar.save_event(vevent("past-1", now - timedelta(days=1), attendees=["peter@initech.example"]))
    calendar.save_event(vevent("internal-1", now + timedelta(days=1), attendees=["boss@team.example"]))
    calendar.save_event(
        vevent(
            "weekly-1",
            now + timedelta(days=2),
            attendees=["someone@initech.example"],
            summary="Weekly sync",
            extra="RRULE:FREQ=WEEKLY;COUNT=3\r\n",
        )
    )
    connection = caldav_connect(user=csm_user, url=radicale.url, username=USER, password=PASSWORD)

    result = calendar_sync(connection=connection)

    assert result.stored == 4  # one past meeting and three weekly instances
    ids = sorted(Meeting.objects.values_list("external_id", flat=True))
    assert ids[0] == "past-1" and len([i for i in ids if i.startswith("weekly-1/")]) == 3
    past = Meeting.objects.get(external_id="past-1")
    assert past.activity is not None and past.contact.email == "peter@initech.example"
    customer.refresh_from_db()
    assert customer.last_touch_at == past.starts_at
    # the same run again changes nothing; then the past event is deleted on the server
    calendar_sync(connection=connection)
    assert Meeting.objects.count() == 4
    calendar.event_by_uid("past-1").delete()
    calendar_sync(connection=connection)
    assert not Meeting.objects.filter(external_id="past-1").exists()
    assert not Activity.objects.filter(kind="meeting").exists()


def test_cancelled_status_removes_the_meeting(radicale, csm_user, calendar, customer):
    start = timezone.now() + timedelta(days=3)
    calendar.save_event(vevent("c-1", start, attendees=["peter@initech.example"]))
    connection = caldav_connect(user=csm_user, url=radicale.url, username=USER, password=PASSWORD)
    calendar_sync(connection=connection)
    assert Meeting.objects.count() == 1
    calendar.save_event(vevent("c-1", start, attendees=["peter@initech.example"], extra="STATUS:CANCELLED\r\n"))
    calendar_sync(connection=connection)
    assert not Meeting.objects.exists()


def test_a_changed_password_marks_the_connection(radicale, csm_user, calendar):
    from conversations.connections import connection_sync
    from conversations.models import ConnectionStatus

    connection = caldav_connect(user=csm_user, url=radicale.url, username=USER, password=PASSWORD)
    connection.password = "changed-on-the-server"
    connection.save()
    result = connection_sync(connection=connection)
    connection.refresh_from_db()
    assert "refused the credentials" in result.error and connection.status == ConnectionStatus.ERROR
