"""The account timeline's filter (issue 15, item 15): by kind (survey answers apart from other
system entries), author and date range; htmx re-renders the entries; "Show older entries" keeps
the filter (keyset paging); bad input is a 400 with the reason; a fixed number of queries."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Activity
from accounts.selectors import account_timeline
from accounts.timeline import TimelineFilter
from tests.factories import AccountFactory, UserFactory
from tests.queries import session_queries

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
DAY = datetime(2026, 11, 2, 12, tzinfo=UTC)


@pytest.fixture
def book(csm_user):
    """One account with every kind of entry, a day apart, newest last."""
    account = AccountFactory(owner=csm_user, name="Acme")
    other = UserFactory(first_name="Olga")
    rows = [
        ("note", csm_user, "Kickoff notes", {}),
        ("call", other, "Call with the CTO", {}),
        ("meeting", csm_user, "QBR", {}),
        ("email", None, "Tech-touch mail", {}),
        ("system", None, "NPS 3 (detractor) from Ann", {"survey_response_id": 7, "kind": "nps", "score": 3}),
        ("task", csm_user, "Task done: renewal call", {"task_id": 1}),
        ("system", None, "Lifecycle stage Adoption → At risk", {}),
    ]
    for i, (kind, author, subject, metadata) in enumerate(rows):
        Activity.objects.create(
            account=account,
            kind=kind,
            author=author,
            subject=subject,
            occurred_at=DAY + timedelta(days=i),
            metadata=metadata,
        )
    return {"account": account, "other": other}


def _subjects(items) -> list[str]:
    return [a.subject for a in items]


# Section: selector


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        (("note",), ["Kickoff notes"]),
        (("call", "meeting"), ["QBR", "Call with the CTO"]),
        (("survey",), ["NPS 3 (detractor) from Ann"]),
        (("system",), ["Lifecycle stage Adoption → At risk"]),
        (("system", "survey"), ["Lifecycle stage Adoption → At risk", "NPS 3 (detractor) from Ann"]),
        (("task", "email"), ["Task done: renewal call", "Tech-touch mail"]),
    ],
)
def test_filter_by_kind(book, kinds, expected):
    items, more = account_timeline(account=book["account"], filters=TimelineFilter(kinds=kinds))
    assert _subjects(items) == expected and not more


def test_filter_by_author_and_automated(book, csm_user):
    mine, _ = account_timeline(account=book["account"], filters=TimelineFilter(author=str(csm_user.pk)))
    assert _subjects(mine) == ["Task done: renewal call", "QBR", "Kickoff notes"]
    automated, _ = account_timeline(account=book["account"], filters=TimelineFilter(author="none"))
    assert len(automated) == 3 and all(a.author_id is None for a in automated)


def test_filter_by_date_range_is_inclusive_utc_days(book):
    start, end = (DAY + timedelta(days=1)).date(), (DAY + timedelta(days=3)).date()
    items, _ = account_timeline(account=book["account"], filters=TimelineFilter(since=start, until=end))
    assert _subjects(items) == ["Tech-touch mail", "QBR", "Call with the CTO"]


def test_keyset_pages_keep_the_filter(book, csm_user):
    account = book["account"]
    for i in range(5):
        at = DAY - timedelta(days=i + 1)
        Activity.objects.create(account=account, kind="note", subject=f"extra {i}", occurred_at=at)
    flt = TimelineFilter(kinds=("note",))
    first, more = account_timeline(account=account, filters=flt, limit=4)
    second, more2 = account_timeline(account=account, filters=flt, limit=4, before_id=first[-1].pk)
    assert more and not more2
    expected = ["Kickoff notes", "extra 0", "extra 1", "extra 2", "extra 3", "extra 4"]
    assert _subjects(first) + _subjects(second) == expected


# Section: view


def test_htmx_filter_returns_only_matching_entries(client, csm_user, book):
    account = book["account"]
    url = reverse("accounts:detail", args=[account.pk])
    client.force_login(csm_user)
    page = client.get(url).content.decode()
    assert 'id="timeline-filter"' in page and 'value="survey"' in page
    assert f'<option value="{book["other"].pk}">Olga' in page  # the account's authors
    response = client.get(url, {"timeline": "1", "kind": ["survey", "call"]}, **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "NPS 3 (detractor) from Ann" in html and "Call with the CTO" in html
    assert "Kickoff notes" not in html and "Lifecycle stage" not in html
    assert "Survey answer" in html
    assert "<html" not in html  # only the entries


def test_show_older_entries_carries_the_filter(client, csm_user, book):
    account = book["account"]
    for i in range(10):
        Activity.objects.create(account=account, kind="note", subject=f"old {i}", occurred_at=DAY - timedelta(days=i))
    url = reverse("accounts:detail", args=[account.pk])
    client.force_login(csm_user)
    html = client.get(url, {"timeline": "1", "kind": "note"}, **HX).content.decode()
    assert "Show older entries" in html and "&amp;kind=note" in html
    last = Activity.objects.filter(account=account, kind="note").order_by("-occurred_at")[7]
    older = client.get(url, {"before": last.pk, "kind": "note"}, **HX)
    assert _subjects(older.context["activities"]) == ["old 7", "old 8", "old 9"]


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"since": "2026-13-40"}, "Enter a date as YYYY-MM-DD."),
        ({"since": "2026-11-05", "until": "2026-11-01"}, "The end comes before the start."),
        ({"kind": "gossip"}, "Select a valid choice."),
        ({"author": "nobody"}, "Choose someone from the list."),
    ],
)
def test_bad_filters_are_a_400_with_the_reason(client, csm_user, book, params, reason):
    url = reverse("accounts:detail", args=[book["account"].pk])
    client.force_login(csm_user)
    htmx = client.get(url, {"timeline": "1", **params}, **HX)
    assert htmx.status_code == 400 and reason in htmx.content.decode() and 'role="alert"' in htmx.content.decode()
    plain = client.get(url, params)
    assert plain.status_code == 400 and reason in plain.content.decode()


def test_page_with_a_filter_in_the_url(client, csm_user, book):
    url = reverse("accounts:detail", args=[book["account"].pk])
    client.force_login(csm_user)
    response = client.get(url, {"kind": "meeting"})
    assert response.status_code == 200 and _subjects(response.context["activities"]) == ["QBR"]
    assert 'value="meeting" checked' in response.content.decode()


def test_adding_a_note_still_works_under_the_filter_bar(client, csm_user, book):
    url = reverse("accounts:detail", args=[book["account"].pk])
    client.force_login(csm_user)
    client.get(url)
    response = client.post(url, {"kind": "note", "subject": "Fresh note", "body": ""}, **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "Fresh note" in html and 'id="timeline-filter"' in html


def _queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params, **HX).status_code == 200
    return len(ctx.captured_queries)


def test_filter_query_count_does_not_grow_with_the_timeline(client, csm_user, book):
    """session (none when read from Redis), user, the account, then the page of entries (and the
    anchor for older pages)."""
    account = book["account"]
    url = reverse("accounts:detail", args=[account.pk])
    client.force_login(csm_user)
    params = {"timeline": "1", "kind": ["note", "survey"], "author": "", "since": "2020-01-01"}
    small = _queries(client, url, params)
    Activity.objects.bulk_create(
        Activity(account=account, kind="note", subject=f"n{i}", occurred_at=DAY - timedelta(minutes=i))
        for i in range(400)
    )
    large = _queries(client, url, params)
    older = _queries(client, url, {**params, "before": Activity.objects.filter(subject="n50").get().pk})
    session = session_queries()
    assert small == large == 3 + session
    assert older == 4 + session
