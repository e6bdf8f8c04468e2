"""The health API answers what its schema says (issue 15, item 21): `account=` filters the
scores by external id; the backtest is one object, and the schema says so."""

import pytest

from accounts.choices import HealthBand
from health.models import HealthScore, Scorecard
from health.services import today
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scores():
    scorecard = Scorecard.objects.create(name="Default", is_default=True)
    accounts = [AccountFactory(external_id=f"acme-{i}") for i in range(3)]
    for i, account in enumerate(accounts):
        HealthScore.objects.create(
            account=account, day=today(), score=40 + i * 20, band=HealthBand.YELLOW, scorecard=scorecard, measures={}
        )
    return accounts


def test_scores_account_filter_returns_that_accounts_score(api_read, scores):
    response = api_read.get("/api/v1/health/scores/", {"account": "acme-1"})
    assert response.status_code == 200
    assert [r["account"] for r in response.json()["results"]] == ["acme-1"]


def test_scores_unknown_account_is_an_empty_list(api_read, scores):
    response = api_read.get("/api/v1/health/scores/", {"account": "nobody"})
    assert response.status_code == 200 and response.json()["results"] == []


def test_scores_empty_as_of_is_a_400(api_read, scores):
    response = api_read.get("/api/v1/health/scores/", {"as_of": ""})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "as_of"


def test_schema_backtest_is_one_object_and_errors_are_declared(api_read):
    schema = api_read.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    backtest = schema["paths"]["/api/v1/health/backtest/"]["get"]["responses"]
    assert backtest["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Backtest"}
    for code in ("400", "401", "403", "429"):
        assert backtest[code]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ApiError"}
    scores = schema["paths"]["/api/v1/health/scores/"]["get"]
    assert "account" in {p["name"] for p in scores["parameters"]}
    components = schema["components"]["schemas"]
    assert components["Activity"]["properties"]["author"].get("nullable") is True
    assert components["PlanGoal"]["properties"]["owner_user"].get("nullable") is True
