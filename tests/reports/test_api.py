from datetime import UTC, date, datetime, time, timedelta

import pytest

from usage import metrics
from usage.metrics import METRIC_KEYS

pytestmark = pytest.mark.django_db

URL = "/api/v1/metrics/"


def test_returns_exactly_the_design_keys(api_read, small_book):
    last, month = small_book["last"], small_book["month"]
    response = api_read.get(URL, {"start": last.isoformat(), "end": month.isoformat()})
    assert response.status_code == 200
    body = response.json()
    assert list(body) == list(METRIC_KEYS)
    assert body["mrr_start"] == 600.0  # a 100 + b 200 + c 300
    assert body["mrr_end"] == 510.0  # a 100 + b 260 + d 150
    assert body["mrr_new"] == 150.0
    assert body["mrr_expansion"] == 60.0
    assert body["mrr_churned"] == 300.0
    assert body["mrr_reactivation"] == 0.0
    assert body["nrr"] == round((600 + 60 - 300) / 600, 4)
    assert body["grr"] == 0.5
    assert body["logo_churn_rate"] == round(1 / 3, 4)
    assert body["nps"] is None and body["csat"] is None and body["ces"] is None  # no answers: null
    assert body["fcr"] is None and body["crc"] is None


def test_matches_the_exact_service_for_a_slice(api_read, small_book, csm_user):
    last, month = small_book["last"], small_book["month"]
    response = api_read.get(URL, {"start": last, "end": month, "segment": "Enterprise"})
    exact = metrics.period_metrics(start=last, end=month, accounts=metrics.account_slice(segment="Enterprise"))
    assert response.json()["mrr_start"] == float(exact["mrr_start"]) == 300.0
    assert response.json()["logo_churn_rate"] == exact["logo_churn_rate"] == 1.0
    by_csm = api_read.get(URL, {"start": last, "end": month, "csm": csm_user.pk}).json()
    assert by_csm["mrr_start"] == 300.0 and by_csm["mrr_expansion"] == 60.0


def test_survey_scores_come_from_surveys(api_read, small_book):
    from tests.factories.surveys import SurveyResponseFactory

    last, month = small_book["last"], small_book["month"]
    when = {"submitted_at": datetime.combine(last + timedelta(days=2), time(12), tzinfo=UTC)}
    for score in (10, 9, 3, 7):
        SurveyResponseFactory(kind="nps", account=small_book["a"], score=score, **when)
    for score in (4, 5, 2, 4):
        SurveyResponseFactory(kind="csat", account=small_book["b"], score=score, **when)
    for score in (2, 3, 7):
        SurveyResponseFactory(kind="ces", account=small_book["c"], score=score, **when)
    body = api_read.get(URL, {"start": last, "end": month}).json()
    assert body["nps"] == 25.0  # 2 promoters - 1 detractor of 4 (docs/metrics.md)
    assert body["csat"] == 0.75  # 3 of 4 are 4 or 5
    assert body["ces"] == 4.0
    enterprise = api_read.get(URL, {"start": last, "end": month, "segment": "Enterprise"}).json()
    assert (enterprise["nps"], enterprise["csat"], enterprise["ces"]) == (None, None, 4.0)  # only Crane's CES


@pytest.mark.parametrize(
    ("params", "field", "reason"),
    [
        ({"end": "2024-02-01"}, "start", "required"),
        ({"start": "2024-01-01"}, "end", "required"),
        ({"start": "2024-13-01", "end": "2024-02-01"}, "start", "format"),
        ({"start": "yesterday", "end": "2024-02-01"}, "start", "format"),
        ({"start": "2024-02-01", "end": "2024-02-01"}, "end", "after start"),
        ({"start": "2024-03-01", "end": "2024-02-01"}, "end", "after start"),
        ({"start": "2024-01-01", "end": "2024-02-01", "tier": "gold"}, "tier", "valid choice"),
        ({"start": "2024-01-01", "end": "2024-02-01", "csm": "999999"}, "csm", "No such user"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_read, params, field, reason):
    response = api_read.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert field in body
    assert reason.lower() in " ".join(body[field]).lower()


def test_needs_authentication(client, db):
    response = client.get(URL, {"start": "2024-01-01", "end": "2024-02-01"})
    assert response.status_code in (401, 403)


def test_any_logged_in_role_may_read(client, readonly_user):
    client.force_login(readonly_user)
    response = client.get(URL, {"start": "2024-01-01", "end": "2024-02-01"})
    assert response.status_code == 200
    assert all(value is None for value in response.json().values())


def test_ingest_key_may_not_read(api_ingest):
    assert api_ingest.get(URL, {"start": "2024-01-01", "end": "2024-02-01"}).status_code == 403


def test_query_count_does_not_grow_with_accounts(api_read, small_book, django_assert_max_num_queries):
    from tests.factories import AccountFactory, SubscriptionFactory

    params = {"start": small_book["last"], "end": small_book["month"]}
    api_read.get(URL, params)  # warm the API key lookup
    with django_assert_max_num_queries(14) as first:
        api_read.get(URL, {**params, "segment": "SMB"})
    for i in range(40):
        SubscriptionFactory(account=AccountFactory(segment="SMB"), mrr=10 + i, start_date=date(2020, 1, 1))
    with django_assert_max_num_queries(len(first.captured_queries)):
        api_read.get(URL, {**params, "segment": "SMB", "tier": "standard"})


def test_schema_describes_the_endpoint(admin_client):
    response = admin_client.get("/api/schema/", {"format": "json"})
    schema = response.json()
    operation = schema["paths"]["/api/v1/metrics/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"start", "end", "segment", "tier", "csm"} <= names
    component = schema["components"]["schemas"]["Metrics"]
    assert list(component["properties"]) == list(METRIC_KEYS)
