"""Report pages say when money was left out for want of an exchange rate (docs/metrics.md "Currency")."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.currency import fx_rates_upsert
from tests.factories import AccountFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["reports:home", "reports:dashboard", "reports:scorecards", "reports:cohorts"])
def test_pages_name_the_missing_rate_until_it_is_loaded(client, manager_user, name):
    account = AccountFactory(currency="GBP", owner=manager_user)
    SubscriptionFactory(account=account, currency="GBP", mrr=Decimal("500"), start_date=date(2024, 1, 1))
    client.force_login(manager_user)
    month = timezone.now().date().replace(day=1)
    html = client.get(reverse(name)).content.decode()
    assert 'data-testid="fx-warning"' in html and f"GBP {month:%Y-%m}" in html
    fx_rates_upsert(rates=[{"currency": "GBP", "month": f"{m:%Y-%m}", "rate": "1.25"} for m in _months(month)])
    assert 'data-testid="fx-warning"' not in client.get(reverse(name)).content.decode()


def _months(last: date, n: int = 14) -> list[date]:
    out, y, m = [], last.year, last.month
    for _ in range(n):
        out.append(date(y, m, 1))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out
