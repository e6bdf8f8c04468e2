"""/api/v1/survey-responses/: import of past answers (one or a list, atomic, 400 per item)."""

import pytest

from surveys.models import FatigueTouch, SurveyResponse
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/survey-responses/"


def test_import_one_and_a_list_with_history_and_dedupe(api_write):
    account = AccountFactory(external_id="acme")
    contact = ContactFactory(account=account, external_id="c-1")
    one = api_write.post(
        URL,
        {
            "kind": "nps",
            "account": "acme",
            "contact": "c-1",
            "score": 4,
            "comment": "Slow",
            "submitted_at": "2026-01-15T10:00:00Z",
        },
        format="json",
    )
    assert one.status_code == 201, one.json()
    assert one.json()["account"] == "acme" and one.json()["category"] == "detractor"
    items = [
        {"kind": "csat", "account": "acme", "score": 5, "submitted_at": "2026-02-01T00:00:00Z", "external_id": "x1"},
        {"kind": "ces", "account": "acme", "score": 6, "language": "zh"},
    ]
    many = api_write.post(URL, items, format="json")
    assert many.status_code == 201 and len(many.json()) == 2
    # the same answers again: updated, not duplicated
    api_write.post(URL, {**items[0], "score": 2}, format="json")
    api_write.post(
        URL,
        {"kind": "nps", "account": "acme", "contact": "c-1", "score": 6, "submitted_at": "2026-01-15T10:00:00Z"},
        format="json",
    )
    assert SurveyResponse.objects.count() == 3
    assert SurveyResponse.objects.get(kind="csat").score == 2
    assert SurveyResponse.objects.get(kind="nps").score == 6
    assert SurveyResponse.objects.get(kind="nps").submitted_at.year == 2026
    assert all(r.channel == "import" for r in SurveyResponse.objects.all())
    assert contact.id  # old answers (January) do not spend the fatigue budget now
    assert not FatigueTouch.objects.filter(contact=contact).exists()


def test_invalid_items_are_reported_and_nothing_is_written(api_write):
    AccountFactory(external_id="acme")
    other = AccountFactory(external_id="other")
    ContactFactory(account=other, external_id="theirs")
    items = [
        {"kind": "nps", "account": "acme", "score": 9},
        {"kind": "csat", "account": "acme", "score": 7},
        {"kind": "nps", "account": "ghost", "score": 5},
        {"kind": "nps", "account": "acme", "contact": "theirs", "score": 5},
        {"kind": "xyz", "account": "acme", "score": 5},
        {"kind": "nps", "account": "acme", "score": 5, "submitted_at": "2999-01-01T00:00:00Z"},
    ]
    response = api_write.post(URL, items, format="json")
    assert response.status_code == 400
    errors = {(e["index"], e["field"]) for e in response.json()["errors"]}
    assert {(1, "score"), (2, "account"), (3, "contact"), (4, "kind"), (5, "submitted_at")} <= errors
    assert 0 not in {e["index"] for e in response.json()["errors"]}
    assert SurveyResponse.objects.count() == 0


def test_read_key_cannot_import_and_list_filters(api_read, api_write):
    AccountFactory(external_id="acme")
    assert api_read.post(URL, {"kind": "nps", "account": "acme", "score": 9}, format="json").status_code == 403
    api_write.post(
        URL,
        [{"kind": "nps", "account": "acme", "score": 9}, {"kind": "csat", "account": "acme", "score": 4}],
        format="json",
    )
    listed = api_read.get(URL, {"kind": "csat", "account": "acme"})
    assert listed.status_code == 200
    assert [r["kind"] for r in listed.json()["results"]] == ["csat"]
