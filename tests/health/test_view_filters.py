"""Health's saved-view filters: each measure's score in the account's latest snapshot (an
older snapshot does not count); a custom field as a health measure."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.saved_views import saved_view_accounts, saved_view_definition_clean
from health.custom_measures import custom_field_measures_sync
from health.registry import MEASURES
from tests.factories import AccountFactory, CustomFieldDefinitionFactory, HealthScoreFactory, UserFactory

pytestmark = pytest.mark.django_db


def _measures(score):
    return {"usage_frequency": {"value": 10, "score": score, "weight": 20, "contribution": 1.0}}


def test_latest_snapshot_measure_score():
    user = UserFactory()
    today = timezone.now().date()
    low, high = AccountFactory(name="low"), AccountFactory(name="high")
    HealthScoreFactory(account=low, day=today - timedelta(days=1), measures=_measures(90))
    HealthScoreFactory(account=low, day=today, measures=_measures(20))
    HealthScoreFactory(account=high, day=today, measures=_measures(80))
    definition = saved_view_definition_clean(
        {"conditions": [{"field": "measure.usage_frequency", "op": "lte", "value": 50}]}, user=user
    )
    assert list(saved_view_accounts(definition=definition, user=user).values_list("name", flat=True)) == ["low"]
    definition = saved_view_definition_clean(
        {"conditions": [{"field": "measure.usage_frequency", "op": "between", "value": [70, 100]}]}, user=user
    )
    assert list(saved_view_accounts(definition=definition, user=user).values_list("name", flat=True)) == ["high"]


def test_custom_fields_become_measures():
    # given: a number, a money, a yes/no and a date field; a text field is not a measure
    CustomFieldDefinitionFactory(key="seats", field_type="number", labels={"en": "Seats"})
    CustomFieldDefinitionFactory(key="budget", field_type="money")
    CustomFieldDefinitionFactory(key="reference", field_type="boolean")
    CustomFieldDefinitionFactory(key="signed", field_type="date")
    CustomFieldDefinitionFactory(key="note", field_type="text")
    a = AccountFactory(
        custom_fields={
            "seats": 40,
            "budget": {"amount": 99.5, "currency": "EUR"},
            "reference": True,
            "signed": "2024-01-01",
        }
    )
    b = AccountFactory(custom_fields={"seats": "legacy text"})
    # when
    custom_field_measures_sync()
    # then
    assert {"cf.seats", "cf.budget", "cf.reference", "cf.signed"} <= set(MEASURES)
    assert "cf.note" not in MEASURES
    as_of = date(2024, 1, 31)
    assert MEASURES["cf.seats"].compute(as_of, None) == {a.pk: 40.0, b.pk: None}
    assert MEASURES["cf.budget"].compute(as_of, [a.pk]) == {a.pk: 99.5}
    assert MEASURES["cf.reference"].compute(as_of, None) == {a.pk: 1.0}
    assert MEASURES["cf.signed"].compute(as_of, None) == {a.pk: 30.0}
    assert MEASURES["cf.seats"].label == "Seats"


def test_archived_field_measure_goes_away():
    from accounts.custom_fields.definitions import custom_field_definitions_changed

    field = CustomFieldDefinitionFactory(key="seats", field_type="number")
    custom_field_measures_sync()
    assert "cf.seats" in MEASURES
    field.archived = True
    field.save()
    custom_field_definitions_changed()
    custom_field_measures_sync()
    assert "cf.seats" not in MEASURES


def test_custom_field_measure_scores_in_a_recompute():
    from health.models import HealthScore, Scorecard, ScorecardMeasure
    from health.services import health_recompute

    CustomFieldDefinitionFactory(key="seats", field_type="number")
    account = AccountFactory(custom_fields={"seats": 75})
    scorecard = Scorecard.objects.create(name="Seats only", is_default=True)
    ScorecardMeasure.objects.create(
        scorecard=scorecard, measure_key="cf.seats", weight=100, points=[[0, 0], [100, 100]]
    )
    health_recompute()
    snapshot = HealthScore.objects.get(account=account)
    assert snapshot.measures["cf.seats"]["value"] == 75
    assert snapshot.score == 75
