"""Opportunities API (list with filters, create, update, upsert by external id, 400s naming
fields) and the forecast API."""

from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from renewals.choices import StageKind
from renewals.models import Opportunity
from tests.factories.accounts import AccountFactory, SubscriptionFactory
from tests.factories.core import UserFactory
from tests.factories.renewals import OpportunityFactory, stage_of

pytestmark = pytest.mark.django_db

URL = "/api/v1/opportunities/"


def test_create_and_list_with_filters(api_write):
    account = AccountFactory(external_id="acme", currency="EUR")
    sub = SubscriptionFactory(account=account, external_id="sub-1")
    response = api_write.post(
        URL,
        {
            "account": "acme",
            "amount": "24000",
            "close_date": "2026-09-30",
            "category": "commit",
            "subscription": "sub-1",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["account"], body["currency"], body["stage"], body["status"]) == (
        "acme",
        "EUR",
        "Up for renewal",
        "open",
    )
    assert body["owner"] == account.owner.username and body["subscription"] == sub.external_id
    OpportunityFactory(category="pipeline", close_date=date(2026, 8, 1))

    listed = api_write.get(URL, {"category": "commit"}).json()["results"]
    assert [o["account"] for o in listed] == ["acme"]
    assert api_write.get(URL, {"close_after": "2026-10-01"}).json()["results"] == []
    assert len(api_write.get(URL, {"account": "acme", "status": "open"}).json()["results"]) == 1


def test_upsert_by_external_id_creates_then_updates(api_write):
    AccountFactory(external_id="acme")
    url = URL + "by-external-id/crm-77/"
    created = api_write.put(url, {"account": "acme", "amount": "1000", "close_date": "2026-09-30"}, format="json")
    assert created.status_code == 201, created.content
    updated = api_write.put(url, {"amount": "1500", "stage": "Verbal commit", "next_step": "Sign"}, format="json")
    assert updated.status_code == 200, updated.content
    o = Opportunity.objects.get(external_id="crm-77")
    assert (o.amount, o.stage.name, o.next_step, Opportunity.objects.count()) == (
        Decimal("1500.00"),
        "Verbal commit",
        "Sign",
        1,
    )
    closed = api_write.put(url, {"stage": "Closed won"}, format="json").json()
    assert closed["status"] == "won"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "1000", "close_date": "2026-09-30"}, "account"),
        ({"account": "nope", "amount": "1000", "close_date": "2026-09-30"}, "account"),
        ({"account": "acme", "amount": "-5", "close_date": "2026-09-30"}, "amount"),
        ({"account": "acme", "amount": "x", "close_date": "2026-09-30"}, "amount"),
        ({"account": "acme", "amount": "10", "close_date": "30/09/2026"}, "close_date"),
        ({"account": "acme", "amount": "10", "close_date": "2026-09-30", "stage": "Nope"}, "stage"),
        ({"account": "acme", "amount": "10", "close_date": "2026-09-30", "category": "maybe"}, "category"),
        ({"account": "acme", "amount": "10", "close_date": "2026-09-30", "currency": "EURO"}, "currency"),
        ({"account": "acme", "amount": "10", "close_date": "2026-09-30", "owner": "ghost"}, "owner"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_write, body, field):
    AccountFactory(external_id="acme")
    response = api_write.post(URL, body, format="json")
    assert response.status_code == 400
    assert field in str(response.json()), response.json()
    assert not Opportunity.objects.exists()


def test_duplicate_external_id_and_subscription_of_another_account_are_400s(api_write):
    AccountFactory(external_id="acme")
    SubscriptionFactory(external_id="other-sub")
    OpportunityFactory(external_id="crm-1")
    dup = api_write.post(
        URL, {"account": "acme", "amount": "1", "close_date": "2026-09-30", "external_id": "crm-1"}, format="json"
    )
    assert dup.status_code == 400
    assert {"field": "external_id", "reason": "An opportunity with this external id exists."} in dup.json()["errors"]
    other = api_write.post(
        URL, {"account": "acme", "amount": "1", "close_date": "2026-09-30", "subscription": "other-sub"}, format="json"
    )
    assert other.status_code == 400 and "subscription" in str(other.json())


def test_read_key_and_readonly_user_change_nothing(api_read, readonly_user):
    o = OpportunityFactory(amount=Decimal("10"))
    assert api_read.patch(f"{URL}{o.pk}/", {"amount": "99"}, format="json").status_code == 403
    client = APIClient()
    client.force_authenticate(readonly_user)
    assert client.patch(f"{URL}{o.pk}/", {"amount": "99"}, format="json").status_code == 403
    assert client.put(URL + "by-external-id/x/", {"amount": "1"}, format="json").status_code == 403
    o.refresh_from_db()
    assert o.amount == Decimal("10.00")


def test_a_csm_changes_only_their_own_book():
    mine, theirs = UserFactory(), UserFactory()
    own = OpportunityFactory(account=AccountFactory(owner=mine), amount=Decimal("10"))
    other = OpportunityFactory(account=AccountFactory(owner=theirs), amount=Decimal("10"))
    client = APIClient()
    client.force_authenticate(mine)
    assert client.patch(f"{URL}{own.pk}/", {"amount": "20"}, format="json").status_code == 200
    assert client.patch(f"{URL}{other.pk}/", {"amount": "20"}, format="json").status_code == 403
    other.refresh_from_db()
    assert other.amount == Decimal("10.00")


def test_forecast_api(api_read):
    OpportunityFactory(amount=Decimal("1200"), renew_probability=0.5, close_date=date(2026, 8, 1))
    OpportunityFactory(amount=Decimal("600"), stage=stage_of(StageKind.WON), close_date=date(2026, 8, 2))
    response = api_read.get("/api/v1/renewals/forecast/", {"start": "2026-07-01", "end": "2026-10-01"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["up_for_renewal_arr"] == "1800"
    assert body["expected_arr"] == "1200"
    assert body["committed_arr"] == "600"
    assert body["best_case_arr"] == "600"
    assert body["currency"] == "USD"
    assert {"by_csm", "by_team", "by_category", "by_month", "missing_rates"} <= set(body)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"end": "2026-10-01"}, "start"),
        ({"start": "2026-13-01", "end": "2026-10-01"}, "start"),
        ({"start": "2026-07-01", "end": "tomorrow"}, "end"),
        ({"start": "2026-07-01", "end": "2026-06-01"}, "end"),
        ({"start": "2026-07-01", "end": "2026-10-01", "csm": "abc"}, "csm"),
    ],
)
def test_forecast_api_bad_dates_are_400s_naming_the_field(api_read, params, field):
    response = api_read.get("/api/v1/renewals/forecast/", params)
    assert response.status_code == 400
    assert field in str(response.json())


def test_forecast_api_refuses_to_add_money_without_a_rate(api_read):
    OpportunityFactory(amount=Decimal("1200"), close_date=date(2026, 8, 1))
    OpportunityFactory(amount=Decimal("5000"), currency="EUR", close_date=date(2026, 9, 3))
    response = api_read.get("/api/v1/renewals/forecast/", {"start": "2026-07-01", "end": "2026-10-01"})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "missing_fx_rate"
    assert body["missing"] == [{"currency": "EUR", "month": "2026-09"}]
    assert "EUR 2026-09" in body["message"]


def test_options_on_the_upsert_route(api_write):
    OpportunityFactory(external_id="crm-9")
    assert api_write.options(URL + "by-external-id/crm-9/").status_code == 200
    assert api_write.options(URL + "by-external-id/nope/").status_code == 200


def test_upsert_with_the_external_id_in_the_body_too(api_write):
    """The URL names the opportunity: the same id in the body is accepted, another is a 400."""
    AccountFactory(external_id="00")
    url = URL + "by-external-id/0/"
    body = {"account": "00", "amount": 0.0, "close_date": "2026-12-07", "external_id": "0"}
    assert api_write.put(url, body, format="json").status_code == 201
    assert api_write.put(url, body, format="json").status_code == 200
    other = api_write.put(url, {**body, "external_id": "1"}, format="json")
    assert other.status_code == 400 and other.json()["errors"][0]["field"] == "external_id"
    assert Opportunity.objects.filter(external_id="0").count() == 1
