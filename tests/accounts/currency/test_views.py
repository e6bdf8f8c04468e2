from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import FxRate
from tests.factories.accounts import AccountFactory, FxRateFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

URL = "/accounts/fx-rates/"


def test_page_lists_rates_and_warns_about_what_is_missing(client, manager_user, django_assert_max_num_queries):
    FxRateFactory(currency="GBP", month=date(2026, 1, 1), rate=Decimal("1.27"))
    account = AccountFactory(currency="EUR")
    SubscriptionFactory(account=account, currency="EUR")
    client.force_login(manager_user)
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert "GBP" in body and "1.27" in body
    month = timezone.now().date().replace(day=1)
    assert f"EUR {month:%Y-%m}" in body  # the missing rate, named


def test_a_manager_sets_and_deletes_a_rate(client, manager_user):
    client.force_login(manager_user)
    client.get(URL)
    response = client.post(URL + "set/", {"currency": "eur", "month": "2026-01", "rate": "1.08"})
    assert response.status_code == 302
    rate = FxRate.objects.get()
    assert (rate.currency, rate.month, rate.rate, rate.source) == ("EUR", date(2026, 1, 1), Decimal("1.08"), "admin")
    assert client.post(f"{URL}{rate.pk}/delete/").status_code == 302
    assert not FxRate.objects.exists()


def test_errors_land_on_the_field(client, manager_user):
    client.force_login(manager_user)
    client.get(URL)
    response = client.post(URL + "set/", {"currency": "USD", "month": "2026-01", "rate": "1"})
    assert response.status_code == 400
    assert "the base currency" in response.context["form"].errors["currency"][0]
    response = client.post(URL + "set/", {"currency": "EUR", "month": "Jan", "rate": "1"})
    assert response.status_code == 400 and "month" in response.context["form"].errors


def test_upload_an_ecb_file_and_a_bad_one(client, manager_user):
    client.force_login(manager_user)
    client.get(URL)
    ecb = SimpleUploadedFile("eurofxref-hist.csv", b"Date,USD,GBP\n2026-01-02,1.10,0.85\n2026-01-05,1.12,0.86\n")
    assert client.post(URL + "upload/", {"file": ecb}).status_code == 302
    assert FxRate.objects.get(currency="EUR").rate == Decimal("1.11")
    bad = SimpleUploadedFile("r.csv", b"currency,month,rate\nEUR,2026-02,1.1\nGBP,2026-02,x\n")
    response = client.post(URL + "upload/", {"file": bad})
    assert response.status_code == 400
    assert "Row 3" in response.context["upload_form"].errors["file"][0]
    assert not FxRate.objects.filter(month=date(2026, 2, 1)).exists()


def test_read_only_users_and_csms_change_nothing(client, readonly_user, csm_user):
    FxRateFactory(currency="EUR", month=date(2026, 1, 1))
    for user in (readonly_user, csm_user):
        client.force_login(user)
        assert client.get(URL).status_code == 200  # reading is fine
        assert client.post(URL + "set/", {"currency": "GBP", "month": "2026-01", "rate": "1.2"}).status_code == 403
        assert client.post(f"{URL}{FxRate.objects.get().pk}/delete/").status_code == 403
    assert FxRate.objects.count() == 1
