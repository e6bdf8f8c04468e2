"""The daily digest: its content for a seeded CSM, the local-morning rule across time zones,
exactly once per user and local date, and a query count that does not grow with the users."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import HealthBand
from core.choices import Role
from notifications.models import DigestLog
from notifications.services import digests_send, users_due_digest
from playbooks.choices import TaskStatus
from tests.factories import (
    AccountFactory,
    ContactFactory,
    HealthScoreFactory,
    NotificationFactory,
    SurveyResponseFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
TODAY = NOW.date()


def _csm(**fields):
    fields.setdefault("email", f"{fields.get('username', 'u')}@team.example")
    return UserFactory(role=Role.CSM, **fields)


def _seed(carl):
    """Everything the digest may list for carl, and the near misses it must leave out."""
    other = _csm(username=f"olga-{carl.username}")
    book = AccountFactory(owner=carl, name="Book Co")
    TaskFactory(account=book, assignee=carl, title="Overdue QBR", due_date=TODAY - timedelta(days=2))
    TaskFactory(account=book, assignee=carl, title="Call today", due_date=TODAY)
    TaskFactory(account=book, assignee=carl, title="Later task", due_date=TODAY + timedelta(days=2))
    TaskFactory(account=book, assignee=carl, title="Done task", due_date=TODAY, status=TaskStatus.DONE)
    TaskFactory(
        account=book,
        assignee=carl,
        title="Snoozed task",
        due_date=TODAY - timedelta(days=5),
        status=TaskStatus.SNOOZED,
        snoozed_until=TODAY + timedelta(days=3),
    )
    TaskFactory(account=book, assignee=other, title="Olga's task", due_date=TODAY)

    AccountFactory(owner=carl, name="Renews Soon", renewal_date=TODAY + timedelta(days=10), mrr=Decimal("1000"))
    AccountFactory(owner=carl, name="Renews Later", renewal_date=TODAY + timedelta(days=40))
    AccountFactory(owner=other, name="Olga Renews", renewal_date=TODAY + timedelta(days=3))

    fell = AccountFactory(owner=carl, name="Fell Yellow", health_score=60, health_band=HealthBand.YELLOW)
    HealthScoreFactory(account=fell, day=TODAY - timedelta(days=1), score=75, band=HealthBand.GREEN)
    slid = AccountFactory(owner=carl, name="Slid Twelve", health_score=68, health_band=HealthBand.GREEN)
    HealthScoreFactory(account=slid, day=TODAY - timedelta(days=1), score=80, band=HealthBand.GREEN)
    steady = AccountFactory(owner=carl, name="Steady Co", health_score=65, health_band=HealthBand.GREEN)
    HealthScoreFactory(account=steady, day=TODAY - timedelta(days=1), score=70, band=HealthBand.GREEN)

    unhappy = ContactFactory(account=book, name="Dana Detractor")
    SurveyResponseFactory(
        account=book, contact=unhappy, score=3, comment="Too slow", submitted_at=NOW - timedelta(hours=2)
    )
    SurveyResponseFactory(account=book, score=9, comment="Love it", submitted_at=NOW - timedelta(hours=2))
    SurveyResponseFactory(account=book, score=2, comment="Old news", submitted_at=NOW - timedelta(days=3))
    SurveyResponseFactory(
        account=book, score=1, comment="Imported", channel="import", submitted_at=NOW - timedelta(hours=1)
    )

    NotificationFactory(recipient=carl, title="Mia mentioned you on Book Co", created_at=NOW - timedelta(hours=1))
    NotificationFactory(recipient=carl, title="Last week's news", created_at=NOW - timedelta(days=7))
    return other


def test_the_digest_lists_exactly_what_is_due_for_the_csm(mailoutbox):
    # given
    carl = _csm(username="carl", first_name="Carl")
    _seed(carl)

    # when
    run = digests_send(now=NOW)

    # then
    assert run.claimed == 2 and run.sent == 2  # carl and olga (olga has a task and a renewal)
    message = next(m for m in mailoutbox if m.to == ["carl@team.example"])
    text = message.body
    for listed in (
        "Overdue QBR",
        "Call today",
        "Renews Soon",
        "in 10 days",
        "Fell Yellow",
        "Slid Twelve",
        "Dana Detractor",
        "Too slow",
        "Mia mentioned you on Book Co",
        "Good morning, Carl.",
    ):
        assert listed in text, listed
    for left_out in (
        "Later task",
        "Done task",
        "Snoozed task",
        "Olga",
        "Renews Later",
        "Steady Co",
        "Love it",
        "Old news",
        "Imported",
        "Last week's news",
    ):
        assert left_out not in text, left_out
    assert message.subject == "Your day, 2026-12-07: 2 tasks due, 1 renewals, 2 health drops"
    html = message.alternatives[0][0]
    assert "/tasks/" in html and "/accounts/contacts/" in html
    log = DigestLog.objects.get(user=carl)
    assert (log.local_date, log.items, log.sent_at) == (TODAY, 7, NOW)


def test_the_digest_goes_once_per_local_date_and_covers_since_the_last(mailoutbox):
    carl = _csm(username="carl")
    NotificationFactory(recipient=carl, title="First news", created_at=NOW - timedelta(hours=1))
    assert digests_send(now=NOW).sent == 1
    assert digests_send(now=NOW + timedelta(minutes=15)).sent == 0  # the next sweep the same day
    NotificationFactory(recipient=carl, title="Second news", created_at=NOW + timedelta(hours=5))

    tomorrow = digests_send(now=NOW + timedelta(days=1))

    assert tomorrow.sent == 1
    assert "Second news" in mailoutbox[-1].body and "First news" not in mailoutbox[-1].body
    assert DigestLog.objects.filter(user=carl).count() == 2


def test_a_user_who_turned_the_digest_off_gets_none(mailoutbox):
    from notifications.services import notification_preferences_set

    carl = _csm(username="carl")
    _seed(carl)
    notification_preferences_set(user=carl, email_kinds=[], digest=False)
    digests_send(now=NOW)
    assert [m.to for m in mailoutbox] == [["olga-carl@team.example"]]
    assert not DigestLog.objects.filter(user=carl).exists()


def test_a_user_with_nothing_to_report_is_logged_not_mailed(mailoutbox):
    _csm(username="idle")
    run = digests_send(now=NOW)
    assert (run.claimed, run.sent, run.empty) == (1, 0, 1) and mailoutbox == []
    assert DigestLog.objects.get().sent_at is None


@pytest.mark.parametrize(
    ("utc", "due"),
    [
        # 06:30 UTC: 15:30 in Tokyo and 07:30 in Paris have passed 07:00; New York (01:30) and UTC have not
        (datetime(2026, 12, 7, 6, 30, tzinfo=UTC), {("tokyo", date(2026, 12, 7)), ("paris", date(2026, 12, 7))}),
        # 12:00 UTC: 07:00 in New York
        (
            datetime(2026, 12, 7, 12, 0, tzinfo=UTC),
            {
                ("tokyo", date(2026, 12, 7)),
                ("paris", date(2026, 12, 7)),
                ("utc", date(2026, 12, 7)),
                ("newyork", date(2026, 12, 7)),
                ("nowhere", date(2026, 12, 7)),
            },
        ),
        # 22:00 UTC: already 07:00 on the 8th in Tokyo
        (
            datetime(2026, 12, 7, 22, 0, tzinfo=UTC),
            {
                ("tokyo", date(2026, 12, 8)),
                ("paris", date(2026, 12, 7)),
                ("utc", date(2026, 12, 7)),
                ("newyork", date(2026, 12, 7)),
                ("nowhere", date(2026, 12, 7)),
            },
        ),
    ],
)
def test_the_local_morning_rule_across_time_zones(utc, due):
    for name, zone in (
        ("tokyo", "Asia/Tokyo"),
        ("paris", "Europe/Paris"),
        ("utc", "UTC"),
        ("newyork", "America/New_York"),
        ("nowhere", "Mars/Olympus"),
    ):  # a bad zone counts as UTC
        _csm(username=name, timezone=zone)
    UserFactory(role=Role.READONLY, username="viewer", email="v@team.example", timezone="Asia/Tokyo")
    assert {(u.username, d) for u, d in users_due_digest(now=utc)} == due


def test_tokyo_gets_its_digest_before_new_york_and_each_once(mailoutbox):
    tokyo = _csm(username="tokyo", timezone="Asia/Tokyo")
    newyork = _csm(username="newyork", timezone="America/New_York")
    for user in (tokyo, newyork):
        NotificationFactory(recipient=user, created_at=datetime(2026, 12, 6, 20, 0, tzinfo=UTC))
    sent = []
    for hour in range(0, 24):
        sweep = datetime(2026, 12, 6, 20, 0, tzinfo=UTC) + timedelta(hours=hour)
        sent += [(m.to[0], sweep.hour) for m in mailoutbox[len(sent) :]] if digests_send(now=sweep).sent else []
    # Tokyo's 07:00 on the 7th is 22:00 UTC on the 6th; New York's is 12:00 UTC on the 7th
    assert sent == [("tokyo@team.example", 22), ("newyork@team.example", 12)]


def test_digest_queries_do_not_grow_with_users(django_assert_max_num_queries, mailoutbox):
    for i in range(3):
        _seed(_csm(username=f"a{i}"))
    with CaptureQueriesContext(connection) as ctx:
        digests_send(now=NOW)
    for i in range(12):
        _seed(_csm(username=f"b{i}"))
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        run = digests_send(now=NOW + timedelta(minutes=15))
    assert run.sent == 24  # 12 CSMs and each one's "olga"
