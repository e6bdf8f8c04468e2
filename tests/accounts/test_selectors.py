from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Account
from accounts.selectors import account_subscriptions, account_timeline, portfolio_summary, touch_status
from accounts.services import activity_create
from tests.factories import AccountFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

CADENCE = {"strategic": 3, "key": 7, "standard": 30, "tech_touch": 90}


@pytest.mark.parametrize(
    "tier, touched_days_ago, stage, expected",
    [
        ("key", 2, "mature", ("ok", 5)),
        ("key", 6, "mature", ("soon", 1)),
        ("key", 10, "mature", ("overdue", -3)),
        ("strategic", None, "mature", ("never", None)),
        ("standard", 100, "churned", ("none", None)),
    ],
)
def test_touch_status_follows_tier_cadence(tier, touched_days_ago, stage, expected):
    now = timezone.now()
    account = Account(
        tier=tier,
        lifecycle_stage=stage,
        last_touch_at=now - timedelta(days=touched_days_ago) if touched_days_ago is not None else None,
    )
    status = touch_status(account, CADENCE, now=now)
    assert (status.state, status.days) == expected


def test_portfolio_summary_in_one_query(django_assert_num_queries):
    today = timezone.now().date()
    AccountFactory(mrr=Decimal("100"), renewal_date=today + timedelta(days=30), health_band="red")
    AccountFactory(mrr=Decimal("0"), renewal_date=today + timedelta(days=200))
    with django_assert_num_queries(2):  # the summary and the touch cadence
        summary = portfolio_summary(Account.objects.all(), today=today)
    assert summary["accounts"] == 2 and summary["paying"] == 1 and summary["arr"] == Decimal("1200")
    assert summary["renewals_90d"] == 1 and summary["red"] == 1 and summary["overdue"] == 2


def test_subscription_status_labels():
    account = AccountFactory()
    today = date(2026, 6, 30)
    SubscriptionFactory(
        account=account, plan="old", start_date=today - timedelta(days=400), end_date=today - timedelta(days=35)
    )
    SubscriptionFactory(
        account=account,
        plan="trial",
        is_trial=True,
        start_date=today - timedelta(days=5),
        end_date=today + timedelta(days=9),
    )
    SubscriptionFactory(account=account, plan="next", start_date=today + timedelta(days=9))
    assert [(s.plan, s.status) for s in account_subscriptions(account=account, today=today)] == [
        ("next", "upcoming"),
        ("trial", "trial"),
        ("old", "ended"),
    ]


def test_timeline_pages_with_equal_timestamps():
    account = AccountFactory()
    moment = timezone.now()
    for i in range(5):
        activity_create(account=account, kind="note", subject=f"n{i}", occurred_at=moment)
    first, more = account_timeline(account=account, limit=3)
    rest, more_after = account_timeline(account=account, before_id=first[-1].pk, limit=3)
    assert more and not more_after
    assert [a.subject for a in first + rest] == ["n4", "n3", "n2", "n1", "n0"]
    assert account_timeline(account=account, before_id=999999) == ([], False)
