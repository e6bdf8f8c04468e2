from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.choices import ActivityKind, HealthBand, Tier
from accounts.models import Account, Activity
from accounts.services import activity_create
from tests.factories import AccountFactory, ContactFactory, SubscriptionFactory, UserFactory

pytestmark = pytest.mark.django_db

PORTFOLIO = reverse("accounts:portfolio")


def _names(response) -> list[str]:
    return [a.name for a in response.context["object_list"]]


def _book(n: int, owner) -> list[Account]:
    """n accounts with a subscription, contacts and timeline entries each."""
    accounts = AccountFactory.create_batch(n, owner=owner, mrr=Decimal("100"))
    for account in accounts[:3]:
        SubscriptionFactory(account=account)
        ContactFactory.create_batch(2, account=account)
    return accounts


# Section: portfolio


def test_portfolio_search_matches_name_domain_and_external_id(csm_client, csm_user):
    AccountFactory(name="Northwind Traders", domain="northwind.io", external_id="crm-1", owner=csm_user)
    AccountFactory(name="Globex", domain="globex.com", external_id="crm-2", owner=csm_user)

    assert _names(csm_client.get(PORTFOLIO, {"q": "northw"})) == ["Northwind Traders"]
    assert _names(csm_client.get(PORTFOLIO, {"q": "globex.com"})) == ["Globex"]
    assert _names(csm_client.get(PORTFOLIO, {"q": "CRM-1"})) == ["Northwind Traders"]


def test_portfolio_filters_by_owner_tier_segment_stage_and_health(csm_client, csm_user):
    other = UserFactory()
    AccountFactory(
        name="Mine",
        owner=csm_user,
        tier=Tier.KEY,
        segment="Enterprise",
        health_band=HealthBand.RED,
        health_score=30,
        lifecycle_stage="at_risk",
    )
    AccountFactory(
        name="Theirs", owner=other, tier=Tier.STANDARD, segment="SMB", health_band=HealthBand.GREEN, health_score=80
    )

    assert _names(csm_client.get(PORTFOLIO, {"owner": "me"})) == ["Mine"]
    assert _names(csm_client.get(PORTFOLIO, {"owner": str(other.pk)})) == ["Theirs"]
    assert _names(csm_client.get(PORTFOLIO, {"tier": "key"})) == ["Mine"]
    assert _names(csm_client.get(PORTFOLIO, {"segment": "SMB"})) == ["Theirs"]
    assert _names(csm_client.get(PORTFOLIO, {"stage": "at_risk"})) == ["Mine"]
    assert _names(csm_client.get(PORTFOLIO, {"health": "red"})) == ["Mine"]
    assert _names(csm_client.get(PORTFOLIO, {"health": "none"})) == []


def test_portfolio_touch_overdue_filter_uses_tier_cadence(csm_client, csm_user):
    now = timezone.now()
    AccountFactory(name="Strategic, 5 days", tier=Tier.STRATEGIC, last_touch_at=now - timedelta(days=5), owner=csm_user)
    AccountFactory(name="Standard, 5 days", tier=Tier.STANDARD, last_touch_at=now - timedelta(days=5), owner=csm_user)
    AccountFactory(name="Never", tier=Tier.KEY, owner=csm_user)

    response = csm_client.get(PORTFOLIO, {"touch": "overdue", "sort": "name"})

    assert _names(response) == ["Never", "Strategic, 5 days"]
    assert response.context["summary"]["overdue"] == 2


def test_portfolio_sorts(csm_client, csm_user):
    today = timezone.now().date()
    AccountFactory(name="B", mrr=Decimal("10"), renewal_date=today + timedelta(days=5), health_score=90, owner=csm_user)
    AccountFactory(name="A", mrr=Decimal("30"), renewal_date=None, health_score=20, owner=csm_user)
    AccountFactory(
        name="C", mrr=Decimal("20"), renewal_date=today + timedelta(days=1), health_score=None, owner=csm_user
    )

    assert _names(csm_client.get(PORTFOLIO)) == ["A", "C", "B"]  # ARR, highest first
    assert _names(csm_client.get(PORTFOLIO, {"sort": "renewal"})) == ["C", "B", "A"]  # soonest, none last
    assert _names(csm_client.get(PORTFOLIO, {"sort": "health"})) == ["A", "B", "C"]  # worst first, unscored last
    assert _names(csm_client.get(PORTFOLIO, {"sort": "name"})) == ["A", "B", "C"]
    assert _names(csm_client.get(PORTFOLIO, {"sort": "bogus"})) == ["A", "C", "B"]


def test_portfolio_paginates_and_htmx_gets_the_partial(csm_client, csm_user, htmx_headers):
    AccountFactory.create_batch(55, owner=csm_user)

    page2 = csm_client.get(PORTFOLIO, {"page": 2})
    partial = csm_client.get(PORTFOLIO, {"q": "Account"}, **htmx_headers)

    assert len(page2.context["object_list"]) == 5
    assert b"<html" not in partial.content and b'id="portfolio-kpis"' in partial.content
    assert b"hx-swap-oob" in partial.content
    assert b"<html" in csm_client.get(PORTFOLIO).content


def test_portfolio_kpis_summarise_the_filtered_set(csm_client, csm_user):
    today = timezone.now().date()
    AccountFactory(
        mrr=Decimal("1000"),
        tier=Tier.KEY,
        renewal_date=today + timedelta(days=10),
        owner=csm_user,
        health_band=HealthBand.RED,
    )
    AccountFactory(mrr=Decimal("500"), tier=Tier.STANDARD, owner=csm_user)

    summary = csm_client.get(PORTFOLIO, {"tier": "key"}).context["summary"]

    assert summary["accounts"] == 1 and summary["arr"] == Decimal("12000")
    assert summary["red"] == 1 and summary["renewals_90d"] == 1


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_portfolio_query_count_does_not_grow_with_accounts(csm_client, csm_user, django_assert_max_num_queries):
    _book(10, csm_user)
    small = _count_queries(csm_client, PORTFOLIO)
    _book(190, csm_user)
    with django_assert_max_num_queries(small):
        csm_client.get(PORTFOLIO + "?sort=renewal&page=2")


# Section: account 360


def test_account_page_shows_header_contacts_subscriptions_and_timeline(csm_client, csm_user):
    account = AccountFactory(
        name="Initech", owner=csm_user, mrr=Decimal("2500"), renewal_date=timezone.now().date() + timedelta(days=40)
    )
    ContactFactory(account=account, name="Peter Gibbons", language="ar")
    SubscriptionFactory(account=account, plan="Business", mrr=Decimal("2500"))
    activity_create(account=account, kind=ActivityKind.CALL, subject="Kick-off call", author=csm_user)

    response = csm_client.get(reverse("accounts:detail", args=[account.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    for text in ("Initech", "$30k", "40", "Peter Gibbons", "Business", "Kick-off call", "usage-chart"):
        assert text in html
    assert len(response.context["usage"]["labels"]) == 90


def test_account_page_404_for_unknown_account(csm_client):
    assert csm_client.get(reverse("accounts:detail", args=[999999])).status_code == 404


def test_account_page_query_count_does_not_grow_with_rows(csm_client, csm_user, django_assert_max_num_queries):
    small = AccountFactory(owner=csm_user)
    big = AccountFactory(owner=csm_user)
    for account, n in ((small, 1), (big, 40)):
        ContactFactory.create_batch(n, account=account)
        SubscriptionFactory.create_batch(n, account=account)
        for i in range(n):
            activity_create(account=account, kind=ActivityKind.NOTE, subject=f"note {i}", author=csm_user)
    AccountFactory.create_batch(150, owner=csm_user)
    baseline = _count_queries(csm_client, reverse("accounts:detail", args=[small.pk]))
    with django_assert_max_num_queries(baseline):
        csm_client.get(reverse("accounts:detail", args=[big.pk]))


def test_add_note_with_htmx_returns_the_timeline_with_it(csm_client, csm_user, htmx_headers):
    account = AccountFactory(owner=csm_user)
    csm_client.get(reverse("accounts:detail", args=[account.pk]))

    response = csm_client.post(
        reverse("accounts:detail", args=[account.pk]),
        {"kind": "meeting", "subject": "QBR", "body": "Agreed on the SSO rollout."},
        **htmx_headers,
    )

    assert response.status_code == 200
    assert b'id="timeline"' in response.content and b"Agreed on the SSO rollout." in response.content
    activity = Activity.objects.get(account=account)
    assert (activity.kind, activity.author) == ("meeting", csm_user)
    account.refresh_from_db()
    assert account.last_touch_at == activity.occurred_at


def test_add_note_without_htmx_redirects(csm_client, csm_user):
    account = AccountFactory(owner=csm_user)
    url = reverse("accounts:detail", args=[account.pk])
    csm_client.get(url)
    response = csm_client.post(url, {"kind": "note", "body": "Plain form post"})
    assert response.status_code == 302 and response["Location"] == url


@pytest.mark.parametrize(
    "data, error",
    [
        ({"kind": "note", "subject": "", "body": "  "}, "Write a subject or a note."),
        ({"kind": "system", "body": "sneaky"}, "Select a valid choice."),
    ],
)
def test_add_note_rejects_bad_input(csm_client, csm_user, htmx_headers, data, error):
    account = AccountFactory(owner=csm_user)
    url = reverse("accounts:detail", args=[account.pk])
    csm_client.get(url)

    plain = csm_client.post(url, data)
    htmx = csm_client.post(url, data, **htmx_headers)

    assert plain.status_code == 400 and error in plain.content.decode()
    assert error in htmx.content.decode()
    assert not Activity.objects.exists()


def test_older_timeline_entries_load_in_pages(csm_client, csm_user, htmx_headers):
    account = AccountFactory(owner=csm_user)
    url = reverse("accounts:detail", args=[account.pk])
    base = timezone.now() - timedelta(days=30)
    for i in range(20):
        activity_create(account=account, kind="note", subject=f"entry {i:02d}", occurred_at=base + timedelta(hours=i))

    first = csm_client.get(url).context["activities"]
    second = csm_client.get(url, {"before": first[-1].pk}, **htmx_headers).context
    third = csm_client.get(url, {"before": second["activities"][-1].pk}, **htmx_headers).context

    assert [a.subject for a in first] == [f"entry {i:02d}" for i in range(19, 11, -1)]
    assert [a.subject for a in second["activities"]] == [f"entry {i:02d}" for i in range(11, 3, -1)]
    assert second["has_more"] and not third["has_more"] and len(third["activities"]) == 4
    assert b"Show older entries" in csm_client.get(url).content
    assert csm_client.get(url, {"before": "x"}, **htmx_headers).status_code == 400
