"""Imports of past answers (POST /api/v1/survey-responses/, surveys.imports): the fatigue budget
of recent answers and the identity of an imported answer (that history fires no playbook:
tests/playbooks/test_imported_answers.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from surveys.models import FatigueTouch, SurveyResponse
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/survey-responses/"


def _iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def test_a_recent_answer_of_a_contact_spends_its_budget_at_the_answer_time_once(api_write):
    """fatigue_record_many was handed (contact, account, time) triples it could not unpack: every
    import of an answer given in the last 90 days by a known contact was a 500."""
    # given
    account = AccountFactory(external_id="acme")
    contact = ContactFactory(account=account, external_id="c-1")
    answered = (timezone.now() - timedelta(days=10)).replace(microsecond=0)
    item = {"kind": "nps", "account": "acme", "contact": "c-1", "score": 3, "submitted_at": _iso(answered)}

    # when
    first = api_write.post(URL, item, format="json")
    again = api_write.post(URL, {**item, "score": 4}, format="json")

    # then
    assert first.status_code == 201, first.content
    assert again.status_code == 201, again.content
    assert SurveyResponse.objects.get().score == 4  # the same answer, updated
    touch = FatigueTouch.objects.get(contact=contact)  # spent once, not once per retry
    assert (touch.kind, touch.channel, touch.occurred_at, touch.account_id) == (
        "answered",
        "import",
        answered,
        account.id,
    )


def test_anonymous_answers_at_the_same_time_are_distinct_answers(api_write):
    # given: two customers of one account answered in the same second, nobody knows who
    AccountFactory(external_id="acme")
    at = "2026-03-02T09:30:00Z"
    pair = [
        {"kind": "nps", "account": "acme", "score": 2, "submitted_at": at, "comment": "Slow"},
        {"kind": "nps", "account": "acme", "score": 10, "submitted_at": at, "comment": "Great"},
    ]

    # when
    response = api_write.post(URL, pair, format="json")

    # then: both are kept (they were one row, the second overwriting the first)
    assert response.status_code == 201, response.content
    assert sorted(SurveyResponse.objects.values_list("score", flat=True)) == [2, 10]
    assert len({r["id"] for r in response.json()}) == 2


def test_external_id_makes_an_anonymous_import_idempotent(api_write):
    AccountFactory(external_id="acme")
    item = {"kind": "csat", "account": "acme", "score": 2, "submitted_at": "2026-03-02T09:30:00Z"}

    api_write.post(URL, [{**item, "external_id": "old-tool-1"}, {**item, "external_id": "old-tool-2"}], format="json")
    api_write.post(URL, {**item, "external_id": "old-tool-1", "score": 5}, format="json")  # a retry, corrected
    assert sorted(SurveyResponse.objects.values_list("score", flat=True)) == [2, 5]

    api_write.post(URL, item, format="json")  # no external id: a new answer each time it is posted
    assert SurveyResponse.objects.count() == 3


def test_one_answer_named_twice_in_a_list_is_refused_with_the_item_and_field(api_write):
    AccountFactory(external_id="acme")
    ContactFactory(account__external_id="other", external_id="c-9")
    contact = ContactFactory(account=AccountFactory(external_id="beta"), external_id="c-1")
    at = "2026-03-02T09:30:00Z"
    items = [
        {"kind": "nps", "account": "acme", "score": 2, "external_id": "x-1"},
        {"kind": "nps", "account": "acme", "score": 9, "external_id": "x-1"},
        {"kind": "nps", "account": "beta", "contact": "c-1", "score": 2, "submitted_at": at},
        {"kind": "nps", "account": "beta", "contact": "c-1", "score": 9, "submitted_at": at},
        {"kind": "csat", "account": "beta", "contact": "c-1", "score": 4, "submitted_at": at},  # another kind: fine
    ]

    response = api_write.post(URL, items, format="json")

    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert [(e["index"], e["field"]) for e in errors] == [(1, "external_id"), (3, "submitted_at")]
    assert "item 0" in errors[0]["reason"] and "item 2" in errors[1]["reason"]
    assert not SurveyResponse.objects.exists() and contact.id
