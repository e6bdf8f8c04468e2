"""The account 360 page's renewals panels read each in one query (issue 23): the opportunities
open first (soonest close first) then the latest closed, `limit` in all; the live risks soonest
due first and the last closed ones, latest first."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from renewals.choices import StageKind
from renewals.selectors import account_opportunities, account_risks
from tests.factories import AccountFactory
from tests.factories.renewals import OpportunityFactory, RiskFactory, stage_of

pytestmark = pytest.mark.django_db


def test_account_opportunities_open_first_then_latest_closed_in_one_query(django_assert_num_queries):
    # given
    account = AccountFactory()
    today = date.today()
    late_open = OpportunityFactory(account=account, close_date=today + timedelta(days=90))
    soon_open = OpportunityFactory(account=account, close_date=today + timedelta(days=10))
    won = stage_of(StageKind.WON)
    old_closed = OpportunityFactory(account=account, close_date=today - timedelta(days=400), stage=won)
    new_closed = OpportunityFactory(account=account, close_date=today - timedelta(days=30), stage=won)
    OpportunityFactory(close_date=today)  # another account's
    # when
    with django_assert_num_queries(1):
        every = account_opportunities(account)
    three = account_opportunities(account, limit=3)
    one = account_opportunities(account, limit=1)
    # then
    assert every == [soon_open, late_open, new_closed, old_closed]
    assert three == [soon_open, late_open, new_closed]
    assert one == [soon_open]
    assert [o.stage.kind for o in every] == ["open", "open", "won", "won"]


def test_account_risks_live_by_due_date_and_the_latest_closed(django_assert_num_queries):
    # given
    account = AccountFactory()
    now = timezone.now()
    later = RiskFactory(account=account, due_date=date.today() + timedelta(days=30))
    sooner = RiskFactory(account=account, due_date=date.today() + timedelta(days=3), status="mitigating")
    undated = RiskFactory(account=account, due_date=None)
    closed = [
        RiskFactory(account=account, status="saved" if n % 2 else "lost", closed_at=now - timedelta(days=n))
        for n in (5, 1, 9, 3, 7, 11)
    ]
    RiskFactory(due_date=date.today())  # another account's
    # when
    with django_assert_num_queries(1):
        risks = account_risks(account_id=account.pk, closed_limit=3)
    # then: undated last among the live ones, as the database orders NULLs after dates
    assert risks["live"] == [sooner, later, undated]
    assert [r.closed_at for r in risks["closed"]] == [now - timedelta(days=n) for n in (1, 3, 5)]
    assert {r.pk for r in risks["closed"]} <= {r.pk for r in closed}
