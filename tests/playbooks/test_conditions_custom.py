"""Playbook conditions on account custom fields (operators by type) and a shared saved view
as the audience."""

import pytest

from accounts.models import Account
from playbooks.conditions import conditions_apply, conditions_describe, conditions_validate
from playbooks.forms import PlaybookForm
from tests.factories import AccountFactory, CustomFieldDefinitionFactory, SavedViewFactory
from tests.factories.playbooks import TaskFactory

pytestmark = pytest.mark.django_db


def test_custom_field_condition_filters_accounts_and_rows_with_an_account():
    CustomFieldDefinitionFactory(key="seats", field_type="number", labels={"en": "Seats"})
    big = AccountFactory(name="big", custom_fields={"seats": 500})
    AccountFactory(name="small", custom_fields={"seats": 5})
    conditions = {"custom_fields": [{"key": "seats", "op": "gte", "value": 100}]}
    assert conditions_validate(conditions) == {}
    assert list(conditions_apply(Account.objects.all(), conditions)) == [big]
    task = TaskFactory(account=big)
    TaskFactory(account=Account.objects.get(name="small"))
    from playbooks.models import Task

    assert list(conditions_apply(Task.objects.all(), conditions, account_path="account")) == [task]
    assert conditions_describe(conditions) == ["Seats at least 100"]


def test_custom_field_condition_errors():
    CustomFieldDefinitionFactory(key="seats", field_type="number")
    errors = conditions_validate(
        {"custom_fields": [{"key": "seats", "op": "contains", "value": "x"}, {"key": "nope", "op": "eq", "value": 1}]}
    )
    assert set(errors) == {"custom_fields.0.value", "custom_fields.1.key"}


def test_saved_view_as_audience():
    view = SavedViewFactory(
        shared=True,
        definition={
            "match": "all",
            "groups": [{"match": "all", "conditions": [{"field": "tier", "op": "in", "value": ["key"]}]}],
        },
    )
    key = AccountFactory(tier="key")
    AccountFactory(tier="standard")
    private = SavedViewFactory(shared=False)
    assert conditions_validate({"in_view": view.pk}) == {}
    assert "in_view" in conditions_validate({"in_view": private.pk})
    assert list(conditions_apply(Account.objects.all(), {"in_view": view.pk})) == [key]
    assert conditions_describe({"in_view": view.pk}) == [f"In the view “{view.name}”"]


def test_form_offers_operators_fitting_each_type_and_checks_the_value():
    CustomFieldDefinitionFactory(key="seats", field_type="number", labels={"en": "Seats"})
    CustomFieldDefinitionFactory(key="plan", field_type="choice", choices=["Gold", "Silver"], labels={"en": "Plan"})
    form = PlaybookForm()
    options = dict(form.fields["cf_condition"].choices)
    assert [value for value, _label in options["Seats"]] == [
        "seats:eq",
        "seats:gt",
        "seats:gte",
        "seats:lt",
        "seats:lte",
        "seats:empty",
        "seats:not_empty",
    ]
    assert "plan:in" in [value for value, _label in options["Plan"]]
    assert "plan:gte" not in [value for value, _label in options["Plan"]]
    form = PlaybookForm(
        data={
            "name": "x",
            "trigger_type": "health_band",
            "cooldown_days": 30,
            "cf_condition": "seats:gte",
            "cf_value": "lots",
        }
    )
    assert not form.is_valid()
    assert form.errors["cf_value"] == ["must be a number"]
    form = PlaybookForm(
        data={
            "name": "x",
            "trigger_type": "health_band",
            "cooldown_days": 30,
            "cf_condition": "plan:in",
            "cf_value": "gold, Silver",
        }
    )
    form.is_valid()
    assert form.conditions()["custom_fields"] == [{"key": "plan", "op": "in", "value": ["gold", "Silver"]}]
