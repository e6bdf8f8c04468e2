from decimal import Decimal

import pytest

from accounts.models import PaymentFailure
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/payments/"


def test_report_a_failure_then_its_recovery(api_write, api_read):
    account = AccountFactory(external_id="acme", currency="EUR")
    failed = {
        "account": "acme",
        "status": "failed",
        "amount": 1200,
        "occurred_at": "2026-01-05T10:00:00Z",
        "external_id": "in_1",
    }
    response = api_write.post(URL, [failed], format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"failed": 1, "recovered": 0}
    assert api_write.post(URL, failed, format="json").json() == {"failed": 0, "recovered": 0}  # a retry
    failure = PaymentFailure.objects.get()
    assert (failure.account, failure.amount, failure.currency) == (account, Decimal("1200.00"), "EUR")
    listed = api_read.get(URL, {"account": "acme", "open": "1"}).json()["results"]
    assert [r["external_id"] for r in listed] == ["in_1"]
    recovered = api_write.post(URL, {"account": "acme", "status": "recovered"}, format="json")
    assert recovered.json() == {"failed": 0, "recovered": 1}
    failure.refresh_from_db()
    assert failure.recovered_at is not None


def test_a_bad_item_names_index_and_field_and_nothing_is_written(api_write):
    AccountFactory(external_id="acme")
    response = api_write.post(
        URL,
        [
            {"account": "acme", "status": "failed", "amount": 10},
            {"account": "nobody", "status": "failed", "amount": 10},
            {"account": "acme", "status": "failed"},
            {"account": "acme", "status": "lost"},
        ],
        format="json",
    )
    assert response.status_code == 400
    fields = sorted((e["index"], e["field"]) for e in response.json()["errors"])
    assert fields == [(1, "account"), (2, "amount"), (3, "status")]
    assert not PaymentFailure.objects.exists()


def test_read_only_changes_nothing(api_read, client, readonly_user):
    AccountFactory(external_id="acme")
    body = {"account": "acme", "status": "failed", "amount": 10}
    assert api_read.post(URL, body, format="json").status_code == 403
    client.force_login(readonly_user)
    client.get("/accounts/")
    assert client.post(URL, data=body, content_type="application/json").status_code == 403
    assert not PaymentFailure.objects.exists()
