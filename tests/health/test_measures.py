"""Each measure's raw values on the database (health.measures): usage from the rollups,
trend, tickets, renewal, MRR change and sentiment."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from health.measures import (
    breadth,
    csm_sentiment,
    days_to_renewal,
    depth,
    escalated_tickets,
    mrr_change,
    open_tickets,
    usage_frequency,
    usage_trend,
)
from health.models import CsmSentiment, HealthSettings
from tests.factories.accounts import AccountFactory, ContactFactory, SubscriptionFactory, SupportTicketFactory
from tests.factories.health import at
from tests.factories.usage import UsageEventFactory
from usage.rollups import usage_rollup_rebuild

pytestmark = pytest.mark.django_db

D = date(2026, 3, 31)


def test_usage_measures():
    account, idle = AccountFactory(), AccountFactory()
    SubscriptionFactory(account=account, seats=4, start_date=D - timedelta(days=200))
    c1, c2 = ContactFactory(account=account), ContactFactory(account=account)
    for offset in (0, 1, 1, 5, 29):  # 4 active days in the last 30, 5 events
        UsageEventFactory(
            account=account,
            contact=c1 if offset else c2,
            event="export" if offset == 5 else "view",
            occurred_at=at(D - timedelta(days=offset)),
        )
    for offset in (30, 31, 40, 59, 60, 61, 70, 80, 90, 100):  # 4 of these in the 30 days before
        UsageEventFactory(account=account, occurred_at=at(D - timedelta(days=offset)))
    usage_rollup_rebuild()
    ids = [account.id, idle.id]
    assert usage_frequency(D, ids) == {account.id: 4.0, idle.id: 0.0}
    assert usage_trend(D, ids) == {account.id: 25.0}  # 5 vs 4; idle has no data
    assert breadth(D, ids) == {account.id: 50.0}  # 2 contacts of 4 seats; idle has neither
    assert depth(D, ids) == {}  # no key features configured
    HealthSettings.objects.update_or_create(pk=1, defaults={"key_features": ["export", "share", "import", "view"]})
    assert depth(D, ids) == {account.id: 50.0, idle.id: 0.0}


def test_trend_capped_when_nothing_before():
    account = AccountFactory()
    UsageEventFactory(account=account, occurred_at=at(D))
    usage_rollup_rebuild()
    assert usage_trend(D, None) == {account.id: 100.0}


def test_ticket_renewal_mrr_and_sentiment_measures():
    a, b = AccountFactory(), AccountFactory()
    SupportTicketFactory(account=a, opened_at=at(D - timedelta(days=3)))
    SupportTicketFactory(account=a, opened_at=at(D - timedelta(days=3)), escalated=True)
    SupportTicketFactory(account=a, opened_at=at(D - timedelta(days=9)), resolved_at=at(D - timedelta(days=1)))
    SupportTicketFactory(account=a, opened_at=at(D + timedelta(days=1)))  # after as-of
    SupportTicketFactory(
        account=b, opened_at=at(D - timedelta(days=9)), resolved_at=at(D + timedelta(days=2)), escalated=True
    )
    assert open_tickets(D, [a.id, b.id]) == {a.id: 2.0, b.id: 1.0}
    assert escalated_tickets(D, [a.id, b.id]) == {a.id: 1.0, b.id: 1.0}

    SubscriptionFactory(
        account=a, mrr=Decimal("1000"), start_date=D - timedelta(days=200), end_date=D + timedelta(days=45)
    )
    SubscriptionFactory(
        account=a, mrr=Decimal("500"), start_date=D - timedelta(days=20), end_date=D + timedelta(days=100)
    )
    SubscriptionFactory(account=b, mrr=Decimal("800"), start_date=D - timedelta(days=200), end_date=None)
    SubscriptionFactory(
        account=b, mrr=Decimal("200"), start_date=D - timedelta(days=200), end_date=D - timedelta(days=10)
    )
    SubscriptionFactory(
        account=b, mrr=Decimal("999"), start_date=D - timedelta(days=200), is_trial=True, end_date=D + timedelta(days=3)
    )
    assert days_to_renewal(D, None) == {a.id: 45.0}
    assert mrr_change(D, None) == {a.id: 50.0, b.id: -20.0}

    stale_days = HealthSettings.load().sentiment_stale_days
    CsmSentiment.objects.create(account=a, value=2, recorded_at=at(D - timedelta(days=5)))
    CsmSentiment.objects.create(account=a, value=4, recorded_at=at(D - timedelta(days=1)))
    CsmSentiment.objects.create(account=a, value=1, recorded_at=at(D + timedelta(days=1)))  # future
    CsmSentiment.objects.create(account=b, value=5, recorded_at=at(D - timedelta(days=stale_days + 1)))  # stale
    assert csm_sentiment(D, None) == {a.id: 4.0}
