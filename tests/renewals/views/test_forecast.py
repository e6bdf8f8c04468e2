"""The forecast page: figures, filters, the track record, flat queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from renewals.models import ForecastAccuracy
from renewals.quarters import quarter_start
from tests.factories.accounts import AccountFactory
from tests.factories.renewals import OpportunityFactory

pytestmark = pytest.mark.django_db


def test_forecast_page(client, readonly_user, csm_user, django_assert_max_num_queries):
    today = date.today()
    OpportunityFactory(
        account=AccountFactory(owner=csm_user), amount=Decimal("12000"), renew_probability=0.5, close_date=today
    )
    ForecastAccuracy.objects.create(
        quarter_start=date(2025, 1, 1), up_for_renewal=100, expected=90, naive=80, actual=75, terms=3
    )
    client.force_login(readonly_user)
    with django_assert_max_num_queries(20) as few:
        response = client.get(reverse("renewals:forecast"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-kpi="expected">$6k' in html and 'data-kpi="up">$12k' in html
    assert "2025 Q1" in html and "20.0%" in html  # (90 − 75) / 75
    for _ in range(20):
        OpportunityFactory(close_date=today)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("renewals:forecast"))
    filtered = client.get(
        reverse("renewals:forecast"),
        {"csm": csm_user.pk, "quarter": quarter_start(today).isoformat()},
        HTTP_HX_REQUEST="true",
    )
    assert "<html" not in filtered.content.decode() and 'data-kpi="up">$12k' in filtered.content.decode()
