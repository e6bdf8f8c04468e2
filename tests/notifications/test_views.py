"""The feed page, the bell, opening a notification, "mark all read" and the settings page."""

from django.urls import reverse

from notifications.choices import NotificationKind
from notifications.models import Notification, NotificationPreference
from tests.factories import NotificationFactory

FEED = reverse("notifications:feed")


def test_feed_lists_my_notifications_and_filters_them(csm_client, csm_user):
    # given
    NotificationFactory(recipient=csm_user, title="Task assigned: call them")
    NotificationFactory(recipient=csm_user, kind=NotificationKind.MENTION, title="Mia mentioned you")
    NotificationFactory(
        recipient=csm_user, kind=NotificationKind.MENTION, title="Old mention", read_at="2026-01-01T00:00Z"
    )
    NotificationFactory(title="Someone else's")

    # when
    page = csm_client.get(FEED).content.decode()
    mentions = csm_client.get(FEED, {"kind": "mention", "state": "unread"}).content.decode()

    # then
    assert "Task assigned: call them" in page and "Mia mentioned you" in page and "Old mention" in page
    assert "Someone else" not in page
    assert "Mia mentioned you" in mentions and "Task assigned" not in mentions and "Old mention" not in mentions


def test_feed_query_count_does_not_grow_with_notifications(csm_client, csm_user, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    NotificationFactory.create_batch(2, recipient=csm_user)
    with CaptureQueriesContext(connection) as ctx:
        csm_client.get(FEED)
    NotificationFactory.create_batch(60, recipient=csm_user)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        assert csm_client.get(FEED + "?page=2").status_code == 200


def test_mark_all_read_marks_only_mine(csm_client, csm_user, htmx_headers):
    NotificationFactory.create_batch(3, recipient=csm_user)
    other = NotificationFactory()
    csm_client.get(FEED)

    response = csm_client.post(reverse("notifications:read_all"), **htmx_headers)

    assert response.status_code == 204 and "notifications-changed" in response["HX-Trigger"]
    assert not Notification.objects.filter(recipient=csm_user, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_mark_all_read_of_one_kind_and_a_bad_kind(csm_client, csm_user):
    mention = NotificationFactory(recipient=csm_user, kind=NotificationKind.MENTION)
    task = NotificationFactory(recipient=csm_user)
    csm_client.get(FEED)
    assert csm_client.post(reverse("notifications:read_all"), {"kind": "mention"}).status_code == 302
    mention.refresh_from_db()
    task.refresh_from_db()
    assert mention.read_at is not None and task.read_at is None
    assert csm_client.post(reverse("notifications:read_all"), {"kind": "bogus"}).status_code == 400


def test_opening_a_notification_marks_it_read_and_goes_to_it(csm_client, csm_user):
    mine = NotificationFactory(recipient=csm_user, url="/accounts/1/")
    theirs = NotificationFactory()
    csm_client.get(FEED)

    response = csm_client.post(reverse("notifications:open", args=[mine.pk]))

    assert response.status_code == 302 and response["Location"] == "/accounts/1/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert csm_client.post(reverse("notifications:open", args=[theirs.pk])).status_code == 404


def test_the_bell_counts_unread_and_lists_the_newest(csm_client, csm_user, htmx_headers):
    NotificationFactory.create_batch(3, recipient=csm_user)
    NotificationFactory(recipient=csm_user, read_at="2026-01-01T00:00Z", title="Seen already")

    count = csm_client.get(reverse("notifications:bell"), {"part": "count"}, **htmx_headers)
    dropdown = csm_client.get(reverse("notifications:bell"), **htmx_headers)

    assert count.status_code == 200 and b">3</span>" in count.content and b"<html" not in count.content
    assert dropdown.content.decode().count('class="notif-item') == 4 and b"Seen already" in dropdown.content
    assert b"Mark all read" in dropdown.content
    page = csm_client.get(reverse("accounts:portfolio")).content.decode()
    assert 'id="notif-menu"' in page  # every page has the bell (its count loads on its own)


def test_settings_page_saves_email_choices_language_and_timezone(csm_client, csm_user):
    url = reverse("notifications:settings")
    page = csm_client.get(url)
    assert page.status_code == 200
    assert set(page.context["form"].initial["email_kinds"]) == {"task_assigned", "mention"}
    assert page.context["form"].initial["digest"] is True

    # the digest box left unticked: off
    response = csm_client.post(url, {"email_kinds": ["renewal_due"], "language": "fa", "timezone": "Asia/Tehran"})

    assert response.status_code == 302
    csm_user.refresh_from_db()
    assert (csm_user.language, csm_user.timezone) == ("fa", "Asia/Tehran")
    chosen = dict(NotificationPreference.objects.filter(user=csm_user).values_list("kind", "email"))
    assert chosen == {
        "task_assigned": False,
        "mention": False,
        "key_account_red": False,
        "renewal_due": True,
        "digest": False,
    }
    assert csm_client.get(url).context["form"].initial["digest"] is False


def test_settings_page_shows_a_bad_value_on_its_field(csm_client):
    url = reverse("notifications:settings")
    csm_client.get(url)
    response = csm_client.post(url, {"email_kinds": ["nope"], "language": "xx", "timezone": "Mars/Base"})
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"email_kinds", "language", "timezone"}


def test_readonly_users_read_and_dismiss_their_own_feed(client, readonly_user):
    viewer = readonly_user
    NotificationFactory(recipient=viewer)
    client.force_login(viewer)
    assert client.get(FEED).status_code == 200
    assert client.post(reverse("notifications:read_all")).status_code == 302
    assert not Notification.objects.filter(recipient=viewer, read_at__isnull=True).exists()
