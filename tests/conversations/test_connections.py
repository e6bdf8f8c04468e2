"""One connection's sync (calendar then mail), its errors recorded for the user to see, the
periodic task, and the page's "Sync now"."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conversations.connections import connection_sync
from conversations.models import ConnectionStatus, MailMessage, Meeting, Provider
from conversations.tasks import connections_sync_task
from tests.factories import ContactFactory
from tests.factories.conversations import raw_email

from .calendars.events import google_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(inbound):
    return ContactFactory(email="alice@customer.example")


def test_sync_runs_calendar_and_mail(fake, connect, contact):
    connection = connect(Provider.GOOGLE)
    fake.state.put_google_event(google_event("e", timezone.now() + timedelta(days=1), attendees=[contact.email]))
    fake.state.put_gmail("m", raw_email())
    result = connection_sync(connection=connection)
    assert result.error == "" and result.calendar.stored == 1 and result.mail.fetched == 1
    connection.refresh_from_db()
    assert connection.calendar_synced_at and connection.mail_synced_at and connection.last_error == ""


def test_a_revoked_grant_is_shown_and_stops_the_syncs(fake, connect, contact):
    connection = connect(Provider.MICROSOFT)
    fake.state.revoked.add(connection.refresh_token)
    connection.expires_at = timezone.now() - timedelta(minutes=1)
    connection.save()
    result = connection_sync(connection=connection)
    connection.refresh_from_db()
    assert "revoked" in result.error and connection.status == ConnectionStatus.ERROR
    fake.state.requests.clear()
    connections_sync_task.delay()  # a connection needing attention is left alone
    assert fake.state.requests == []


def test_the_periodic_task_syncs_every_active_connection(fake, connect, contact, admin_user):
    connect(Provider.GOOGLE)
    connect(Provider.MICROSOFT, user=admin_user)
    fake.state.put_gmail("m", raw_email())
    fake.state.put_graph_mail("x", raw_email(subject="Via Graph"))
    connections_sync_task.delay()
    assert MailMessage.objects.count() == 2


def test_a_long_rate_limit_in_the_embedded_mode_waits_for_the_next_beat(fake, connect, contact):
    connection = connect(Provider.GOOGLE)
    fake.state.fail_next["/calendar/v3/"] = [1, 600]
    connections_sync_task.delay()  # eager: no retry queue; nothing raised, cursor untouched
    connection.refresh_from_db()
    assert connection.calendar_cursor == ""


def test_sync_now_from_the_page(fake, connect, contact, csm_client):
    connection = connect(Provider.GOOGLE)
    fake.state.put_google_event(google_event("e", timezone.now() + timedelta(days=1), attendees=[contact.email]))
    csm_client.get(reverse("conversations:connected"))
    response = csm_client.post(reverse("conversations:connection_sync", args=[connection.pk]), follow=True)
    assert response.status_code == 200 and "Sync started" in response.content.decode()
    assert Meeting.objects.count() == 1


def test_mail_sync_can_be_turned_off_and_on(fake, connect, contact, csm_client):
    connection = connect(Provider.GOOGLE)
    fake.state.put_gmail("m", raw_email())
    csm_client.get(reverse("conversations:connected"))
    csm_client.post(reverse("conversations:connection_mail", args=[connection.pk]))
    connection.refresh_from_db()
    assert connection.mail_enabled is False and connection.calendar_enabled is True
    result = connection_sync(connection=connection)
    assert result.mail is None and result.calendar is not None and not MailMessage.objects.exists()
    csm_client.post(reverse("conversations:connection_mail", args=[connection.pk]))
    connection.refresh_from_db()
    assert connection_sync(connection=connection).mail.fetched == 1


def test_calendar_sync_can_be_turned_off(fake, connect, contact, csm_client):
    connection = connect(Provider.GOOGLE)
    csm_client.get(reverse("conversations:connected"))
    csm_client.post(reverse("conversations:connection_calendar", args=[connection.pk]))
    connection.refresh_from_db()
    assert connection_sync(connection=connection).calendar is None


def test_a_caldav_connection_has_no_mail_to_turn_on(fake, connect, contact, csm_client):
    connection = connect(Provider.CALDAV, email="csm")
    connection.mail_enabled = False
    connection.save()
    csm_client.get(reverse("conversations:connected"))
    response = csm_client.post(reverse("conversations:connection_mail", args=[connection.pk]), follow=True)
    assert "has no mailbox" in response.content.decode()
    connection.refresh_from_db()
    assert connection.mail_enabled is False


def test_the_profile_page_links_to_connected_accounts(csm_client):
    page = csm_client.get(reverse("core:profile")).content.decode()
    assert f'href="{reverse("conversations:connected")}"' in page and 'data-testid="profile-link"' in page
