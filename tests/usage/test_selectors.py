from datetime import date, timedelta

import pytest

from tests.factories import AccountFactory
from usage.models import AccountDailyUsage
from usage.selectors import account_usage_series

pytestmark = pytest.mark.django_db


def test_usage_series_zero_fills_90_days():
    account = AccountFactory()
    today = date(2026, 6, 30)
    AccountDailyUsage.objects.create(account=account, day=today, events=7, active_contacts=3)
    AccountDailyUsage.objects.create(account=account, day=today - timedelta(days=40), events=10, active_contacts=2)
    AccountDailyUsage.objects.create(account=account, day=today - timedelta(days=120), events=99, active_contacts=9)

    series = account_usage_series(account_id=account.pk, days=90, today=today)

    assert len(series["labels"]) == 90 and series["labels"][-1] == "2026-06-30"
    assert sum(series["events"]) == 17 and series["users"][-1] == 3
    assert series["events_30d"] == 7 and series["events_change"] == pytest.approx(-0.3)
