"""A small book of business dated relative to today, so the dashboards' presets (last month,
month to date...) have something to show, and whose numbers the tests can work out by hand."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.services import account_revenue_refresh
from reports.periods import add_months
from tests.factories import AccountFactory, SubscriptionFactory


def sub(account, mrr, start, end=None, trial=False, **extra):
    return SubscriptionFactory(
        account=account, mrr=Decimal(mrr), start_date=start, end_date=end, is_trial=trial, plan="Pro", **extra
    )


@pytest.fixture
def today() -> date:
    return timezone.now().date()


@pytest.fixture
def small_book(db, csm_user, manager_user, today):
    """Around last month [L, M) (M = the first of this month):

    a (csm, SMB, red)        100 from a year ago, open                    -> steady
    b (csm, SMB, green)      200 until L + 10 days, then 260             -> expansion 60
    c (manager, Ent, yellow) 300 until L + 5 days                          -> churned 300
    d (manager, Ent, green)  new: 150 from L + 3 days, renews in 30 days  -> new 150
    """
    month = today.replace(day=1)
    last = add_months(month, -1)
    year_ago = add_months(month, -12)
    a = AccountFactory(name="Acme", owner=csm_user, segment="SMB", health_band="red", health_score=31)
    b = AccountFactory(name="Bolt", owner=csm_user, segment="SMB", health_band="green", health_score=80)
    c = AccountFactory(name="Crane", owner=manager_user, segment="Enterprise", health_band="yellow", health_score=55)
    d = AccountFactory(name="Delta", owner=manager_user, segment="Enterprise", health_band="green", health_score=90)
    sub(a, 100, year_ago)
    sub(b, 200, year_ago, last + timedelta(days=10))
    sub(b, 260, last + timedelta(days=10))
    sub(c, 300, year_ago, last + timedelta(days=5))
    sub(d, 150, last + timedelta(days=3), today + timedelta(days=30))
    account_revenue_refresh()
    return {"a": a, "b": b, "c": c, "d": d, "last": last, "month": month}


@pytest.fixture(autouse=True)
def _clear_cache():
    """Report results are cached per data version; each test starts cold."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
