"""custom_field_values_clean: each type's accepted inputs and stored forms, the reasons for
bad values, unknown and archived keys, required fields."""

import pytest
from django.core.exceptions import ValidationError

from accounts.custom_fields import custom_field_values_clean, custom_fields_merge
from tests.factories import CustomFieldDefinitionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fields():
    CustomFieldDefinitionFactory(key="note", field_type="text")
    CustomFieldDefinitionFactory(key="seats", field_type="number")
    CustomFieldDefinitionFactory(key="budget", field_type="money")
    CustomFieldDefinitionFactory(key="signed", field_type="date")
    CustomFieldDefinitionFactory(key="reference", field_type="boolean")
    CustomFieldDefinitionFactory(key="plan", field_type="choice", choices=["Gold", "Silver"])
    CustomFieldDefinitionFactory(key="modules", field_type="multi_choice", choices=["CRM", "API", "BI"])
    CustomFieldDefinitionFactory(key="sponsor", field_type="user")
    CustomFieldDefinitionFactory(key="old", field_type="text", archived=True)


def test_every_type_is_normalised_from_spreadsheet_text(fields):
    # given
    UserFactory(username="dana", email="dana@team.test")
    # when
    cleaned = custom_field_values_clean(
        entity="account",
        values={
            "note": " hello ",
            "seats": "1,200",
            "budget": "EUR 1200.50",
            "signed": "2024-07-01",
            "reference": "yes",
            "plan": "gold",
            "modules": "BI; crm",
            "sponsor": "DANA@team.test",
        },
    )
    # then
    assert cleaned == {
        "note": "hello",
        "seats": 1200,
        "budget": {"amount": 1200.5, "currency": "EUR"},
        "signed": "2024-07-01",
        "reference": True,
        "plan": "Gold",
        "modules": ["CRM", "BI"],
        "sponsor": "dana",
    }


def test_json_values_and_the_account_currency(fields):
    cleaned = custom_field_values_clean(
        entity="account", values={"seats": 12.5, "budget": 300, "reference": False}, default_currency="GBP"
    )
    assert cleaned == {"seats": 12.5, "budget": {"amount": 300, "currency": "GBP"}, "reference": False}


def test_bad_values_name_each_key_and_reason(fields):
    with pytest.raises(ValidationError) as exc:
        custom_field_values_clean(
            entity="account",
            values={
                "seats": "many",
                "budget": {"amount": 1, "currency": "euro"},
                "signed": "01/07/2024",
                "reference": "maybe",
                "plan": "Bronze",
                "sponsor": "nobody",
                "nope": 1,
                "old": "x",
            },
        )
    errors = exc.value.message_dict
    assert errors["seats"] == ["must be a number"]
    assert "three-letter" in errors["budget"][0]
    assert "2024-07-01" in errors["signed"][0]
    assert "yes or no" in errors["reference"][0]
    assert "'Bronze' is not one of: Gold, Silver" in errors["plan"][0]
    assert "nobody" in errors["sponsor"][0]
    assert errors["nope"] == ["unknown custom field (define it first)"]
    assert errors["old"] == ["this custom field is archived"]


def test_required_field_on_create_and_when_emptied():
    CustomFieldDefinitionFactory(key="region", field_type="text", required=True)
    with pytest.raises(ValidationError) as exc:
        custom_field_values_clean(entity="account", values={}, creating=True)
    assert exc.value.message_dict == {"region": ["is required"]}
    with pytest.raises(ValidationError):
        custom_field_values_clean(entity="account", values={"region": ""})
    assert custom_field_values_clean(entity="account", values={"region": "EMEA"}) == {"region": "EMEA"}


def test_merge_sets_removes_and_keeps_undefined_keys():
    merged = custom_fields_merge({"a": 1, "stripe_payment_failed_at": "x"}, {"a": None, "b": 2})
    assert merged == {"stripe_payment_failed_at": "x", "b": 2}


def test_contact_fields_are_their_own(fields):
    CustomFieldDefinitionFactory(entity="contact", key="champion", field_type="boolean")
    assert custom_field_values_clean(entity="contact", values={"champion": "true"}) == {"champion": True}
    with pytest.raises(ValidationError):
        custom_field_values_clean(entity="contact", values={"seats": 1})
