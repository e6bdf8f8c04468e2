"""`/api/v1/risks/`: list with filters, open, change, close; bad input is a 400 naming the
field; API keys read; read-only users change nothing."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from renewals.models import Risk
from tests.factories import AccountFactory
from tests.factories.renewals import RiskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user():
    def make(user):
        api = APIClient()
        api.force_authenticate(user)
        return api

    return make


def test_open_patch_close(as_user, csm_user):
    AccountFactory(external_id="acme", mrr=Decimal("200"), currency="EUR", owner=csm_user)
    api = as_user(csm_user)
    created = api.post(
        "/api/v1/risks/", {"account": "acme", "type": "downgrade", "reason_code": "price"}, format="json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["arr_at_risk"], body["currency"], body["owner"], body["source"], body["status"]) == (
        "2400.00",
        "EUR",
        "csm",
        "api",
        "open",
    )
    risk_id = body["id"]
    patched = api.patch(f"/api/v1/risks/{risk_id}/", {"status": "mitigating", "severity": "critical"}, format="json")
    assert patched.status_code == 200 and patched.json()["status"] == "mitigating"
    bad = api.patch(f"/api/v1/risks/{risk_id}/", {"status": "saved"}, format="json")
    assert bad.status_code == 400 and "status" in bad.json()
    closed = api.post(f"/api/v1/risks/{risk_id}/close/", {"outcome": "lost", "note": "Left for a rival"}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "lost"
    assert api.get("/api/v1/risks/?status=lost").json()["results"][0]["id"] == risk_id


def test_bad_input_is_400_naming_the_field(as_user, csm_user):
    AccountFactory(external_id="acme")
    api = as_user(csm_user)
    response = api.post(
        "/api/v1/risks/",
        {"account": "nope", "type": "meteor", "reason_code": "zzz", "arr_at_risk": "-1"},
        format="json",
    )
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} >= {"account", "type", "reason_code", "arr_at_risk"}
    response = api.post(
        "/api/v1/risks/",
        {"account": "acme", "type": "churn", "reason_code": "price", "due_date": "2001-01-01"},
        format="json",
    )
    assert response.status_code == 400 and "due_date" in response.json()
    assert api.get("/api/v1/risks/?status=bogus").status_code == 400
    assert not Risk.objects.exists()


def test_read_only_users_and_read_keys_change_nothing(as_user, readonly_user, api_read):
    AccountFactory(external_id="acme")
    risk = RiskFactory()
    assert api_read.get("/api/v1/risks/").status_code == 200
    for api in (as_user(readonly_user), api_read):
        assert (
            api.post(
                "/api/v1/risks/", {"account": "acme", "type": "churn", "reason_code": "price"}, format="json"
            ).status_code
            == 403
        )
        assert api.patch(f"/api/v1/risks/{risk.pk}/", {"severity": "low"}, format="json").status_code == 403
        assert (
            api.post(f"/api/v1/risks/{risk.pk}/close/", {"outcome": "lost", "note": "x"}, format="json").status_code
            == 403
        )
    risk.refresh_from_db()
    assert risk.status == "open" and risk.severity == "high" and Risk.objects.count() == 1
