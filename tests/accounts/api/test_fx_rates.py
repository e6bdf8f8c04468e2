from decimal import Decimal

import pytest

from accounts.models import FxRate

pytestmark = pytest.mark.django_db

URL = "/api/v1/fx-rates/"


def test_post_a_list_then_get_it(api_write, api_read):
    response = api_write.post(
        URL,
        [{"currency": "EUR", "month": "2026-01", "rate": 1.08}, {"currency": "GBP", "month": "2026-01", "rate": 1.27}],
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"stored": 2}
    assert FxRate.objects.get(currency="EUR").rate == Decimal("1.08")
    listed = api_read.get(URL, {"currency": "EUR"}).json()
    assert [(r["currency"], r["month"], r["base"]) for r in listed["results"]] == [("EUR", "2026-01", "USD")]
    assert float(listed["results"][0]["rate"]) == 1.08


def test_a_bad_item_is_a_400_naming_index_and_field_and_nothing_is_stored(api_write):
    response = api_write.post(
        URL,
        [{"currency": "EUR", "month": "2026-01", "rate": 1.08}, {"currency": "EUR", "month": "January", "rate": 1}],
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"] == [{"index": 1, "field": "month", "reason": "A month written YYYY-MM, e.g. 2026-01."}]
    assert not FxRate.objects.exists()
    assert api_write.post(URL, "nonsense", format="json").status_code == 400
    zero = api_write.post(URL, {"currency": "EUR", "month": "2026-01", "rate": 0}, format="json").json()
    assert zero["errors"][0]["field"] == "rate" and zero["errors"][0]["index"] == 0


def test_read_keys_and_read_only_users_change_nothing(api_read, client, readonly_user):
    assert api_read.post(URL, [{"currency": "EUR", "month": "2026-01", "rate": 1.1}], format="json").status_code == 403
    client.force_login(readonly_user)
    client.get("/accounts/fx-rates/")  # a page gives the browser its CSRF token
    response = client.post(
        URL, data='[{"currency": "EUR", "month": "2026-01", "rate": 1.1}]', content_type="application/json"
    )
    assert response.status_code == 403
    assert not FxRate.objects.exists()
