from datetime import date
from decimal import Decimal

import pytest

from accounts.currency import (
    MissingRate,
    RatesInvalid,
    account_base_mrr_refresh,
    convert,
    fx_rate_delete,
    fx_rates_upsert,
    missing_rates,
    rates_for_months,
    subscription_missing_rates,
)
from accounts.models import Account, FxRate
from tests.factories.accounts import AccountFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def test_upsert_stores_and_replaces_rates():
    assert fx_rates_upsert(rates=[{"currency": "EUR", "month": "2026-01", "rate": 1.08}]) == 1
    assert fx_rates_upsert(rates=[{"currency": "eur", "month": "2026-01", "rate": "1.10"}]) == 1
    rate = FxRate.objects.get()
    assert (rate.currency, rate.month, rate.rate) == ("EUR", date(2026, 1, 1), Decimal("1.1"))


def test_a_bad_item_names_index_and_field_and_writes_nothing():
    with pytest.raises(RatesInvalid) as info:
        fx_rates_upsert(
            rates=[
                {"currency": "GBP", "month": "2026-01", "rate": 1.27},
                {"currency": "EURO", "month": "2026-13", "rate": -1},
                {"currency": "USD", "month": "2026-01", "rate": 1},
            ]
        )
    fields = [(e["index"], e["field"]) for e in info.value.errors]
    assert fields == [(1, "currency"), (1, "month"), (1, "rate"), (2, "currency")]
    assert not FxRate.objects.exists()


def test_convert_uses_the_days_month_and_names_a_missing_rate():
    fx_rates_upsert(
        rates=[
            {"currency": "EUR", "month": "2026-01", "rate": "1.10"},
            {"currency": "EUR", "month": "2026-02", "rate": "1.20"},
        ]
    )
    assert convert(amount=Decimal(100), currency="EUR", day=date(2026, 1, 31)) == Decimal("110")
    assert convert(amount=Decimal(100), currency="EUR", day=date(2026, 2, 1)) == Decimal("120")
    assert convert(amount=Decimal(100), currency="USD", day=date(2030, 1, 1)) == Decimal("100")
    with pytest.raises(MissingRate) as info:
        convert(amount=Decimal(100), currency="EUR", day=date(2026, 3, 1))
    assert info.value.as_list() == [{"currency": "EUR", "month": "2026-03"}]
    assert "EUR 2026-03" in str(info.value)
    assert missing_rates(currencies={"EUR", "GBP", "USD"}, months=[date(2026, 2, 9)]) == [("GBP", date(2026, 2, 1))]
    assert rates_for_months([date(2026, 2, 9)])[date(2026, 2, 1)] == {"USD": Decimal(1), "EUR": Decimal("1.2")}


def test_base_mrr_follows_the_current_months_rate_and_is_null_when_missing():
    today = date(2026, 1, 15)
    eur = AccountFactory(currency="EUR")
    SubscriptionFactory(account=eur, mrr=Decimal("1000"), currency="EUR", start_date=date(2025, 1, 1))
    usd = AccountFactory()
    SubscriptionFactory(account=usd, mrr=Decimal("3000"), start_date=date(2025, 1, 1))
    account_base_mrr_refresh(today=today)
    eur.refresh_from_db()
    usd.refresh_from_db()
    assert eur.mrr_base is None
    assert usd.mrr_base == Decimal("3000")
    assert subscription_missing_rates(days=[today]) == [("EUR", date(2026, 1, 1))]
    fx_rates_upsert(rates=[{"currency": "EUR", "month": "2026-01", "rate": "1.08"}], today=today)
    eur.refresh_from_db()
    assert eur.mrr_base == Decimal("1080.00")
    assert subscription_missing_rates(days=[today]) == []
    fx_rate_delete(rate=FxRate.objects.get(), today=today)
    assert Account.objects.get(pk=eur.pk).mrr_base is None


def test_the_nightly_task_follows_the_new_months_rate(settings):
    from django.utils import timezone

    from accounts.tasks import account_base_mrr_refresh_task

    assert (
        settings.CELERY_BEAT_SCHEDULE["nightly-base-currency-mrr"]["task"]
        == "accounts.tasks.account_base_mrr_refresh_task"
    )
    account = AccountFactory(currency="EUR")
    SubscriptionFactory(account=account, mrr=Decimal("100"), currency="EUR", start_date=date(2025, 1, 1))
    month = timezone.now().date().replace(day=1)
    FxRate.objects.create(currency="EUR", month=month, rate=Decimal("1.5"))  # written behind the service's back
    account_base_mrr_refresh_task()
    account.refresh_from_db()
    assert account.mrr_base == Decimal("150.00")


@pytest.mark.parametrize("rate", ["1e-20", "NaN", "Infinity", "1e12", True, "", None, "abc"])
def test_rates_that_cannot_be_stored_are_refused(rate):
    with pytest.raises(RatesInvalid) as info:
        fx_rates_upsert(rates=[{"currency": "EUR", "month": "2026-01", "rate": rate}])
    assert info.value.errors == [{"index": 0, "field": "rate", "reason": "A positive number."}]
