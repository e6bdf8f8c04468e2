"""Each custom field type's operators filter (and sort) accounts in the database, on SQLite
and PostgreSQL alike."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.custom_fields import custom_field_order, custom_field_q, custom_field_q_validate
from accounts.models import Account
from tests.factories import AccountFactory, CustomFieldDefinitionFactory

pytestmark = pytest.mark.django_db


def _names(definition, op, value=None):
    value = custom_field_q_validate(definition, op, value)
    return sorted(Account.objects.filter(custom_field_q(definition, op, value)).values_list("name", flat=True))


def test_number_money_and_sort():
    seats = CustomFieldDefinitionFactory(key="seats", field_type="number")
    budget = CustomFieldDefinitionFactory(key="budget", field_type="money")
    AccountFactory(name="a", custom_fields={"seats": 5, "budget": {"amount": 100, "currency": "USD"}})
    AccountFactory(name="b", custom_fields={"seats": 50, "budget": {"amount": 2500.5, "currency": "EUR"}})
    AccountFactory(name="c", custom_fields={})
    assert _names(seats, "gte", "10") == ["b"]
    assert _names(seats, "lt", 10) == ["a"]
    assert _names(seats, "eq", 5) == ["a"]
    assert _names(seats, "empty") == ["c"]
    assert _names(budget, "gt", "1000") == ["b"]
    ordered = Account.objects.order_by(custom_field_order(seats, descending=True), "name")
    assert [a.name for a in ordered] == ["b", "a", "c"]


def test_text_choice_multi_boolean_user():
    note = CustomFieldDefinitionFactory(key="note", field_type="text")
    plan = CustomFieldDefinitionFactory(key="plan", field_type="choice", choices=["Gold", "Silver"])
    modules = CustomFieldDefinitionFactory(key="modules", field_type="multi_choice", choices=["CRM", "API", "BI"])
    ref = CustomFieldDefinitionFactory(key="ref", field_type="boolean")
    AccountFactory(name="a", custom_fields={"note": "Big deal", "plan": "Gold", "modules": ["CRM", "BI"], "ref": True})
    AccountFactory(name="b", custom_fields={"note": "small", "plan": "Silver", "modules": ["API"], "ref": False})
    AccountFactory(name="c", custom_fields={})
    assert _names(note, "contains", "big") == ["a"]
    assert _names(note, "ne", "small") == ["a"]
    assert _names(plan, "in", ["gold"]) == ["a"]
    assert _names(plan, "not_in", ["Gold"]) == ["b"]
    assert _names(modules, "has_any", ["API", "BI"]) == ["a", "b"]
    assert _names(modules, "has_all", ["CRM", "BI"]) == ["a"]
    assert _names(ref, "is_true") == ["a"]
    assert _names(ref, "is_false") == ["b"]


def test_dates_before_after_and_age():
    signed = CustomFieldDefinitionFactory(key="signed", field_type="date")
    today = timezone.localdate()
    AccountFactory(name="old", custom_fields={"signed": (today - timedelta(days=400)).isoformat()})
    AccountFactory(name="soon", custom_fields={"signed": (today + timedelta(days=10)).isoformat()})
    assert _names(signed, "older_than_days", 365) == ["old"]
    assert _names(signed, "within_next_days", 30) == ["soon"]
    assert _names(signed, "before", today.isoformat()) == ["old"]
    assert _names(signed, "after", today.isoformat()) == ["soon"]


def test_operator_and_value_are_checked():
    seats = CustomFieldDefinitionFactory(key="seats", field_type="number")
    with pytest.raises(ValueError, match="operator"):
        custom_field_q_validate(seats, "contains", "x")
    with pytest.raises(ValueError, match="number"):
        custom_field_q_validate(seats, "gte", "x")
