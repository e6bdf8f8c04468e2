"""Saved view definitions: checked with errors naming the condition, combined with all / any
in groups, one query for the accounts and one for the count whatever the conditions."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.saved_views import saved_view_accounts, saved_view_count, saved_view_definition_clean
from tests.factories import AccountFactory, CustomFieldDefinitionFactory, SavedViewFactory, UserFactory

pytestmark = pytest.mark.django_db


def _names(definition, user):
    cleaned = saved_view_definition_clean(definition, user=user)
    return sorted(saved_view_accounts(definition=cleaned, user=user).values_list("name", flat=True))


def _cond(field, op, value=None):
    return {"field": field, "op": op, "value": value}


def test_all_and_any_groups():
    # given
    user = UserFactory()
    today = timezone.localdate()
    AccountFactory(name="ent-soon", tier="key", mrr=Decimal("1000"), renewal_date=today + timedelta(days=30))
    AccountFactory(name="ent-late", tier="key", mrr=Decimal("1000"), renewal_date=today + timedelta(days=300))
    AccountFactory(name="small-red", tier="standard", mrr=Decimal("10"), health_score=20, health_band="red")
    AccountFactory(name="mine", tier="standard", owner=user)
    definition = {
        "match": "any",
        "groups": [
            {"match": "all", "conditions": [_cond("tier", "in", ["key"]), _cond("renewal_days", "within", 120)]},
            {"match": "all", "conditions": [_cond("health_score", "lte", 40), _cond("arr", "lte", 1000)]},
            {"match": "all", "conditions": [_cond("owner", "in", ["me"])]},
        ],
    }
    # then
    assert _names(definition, user) == ["ent-soon", "mine", "small-red"]
    assert _names({"match": "all", "conditions": [_cond("arr", "between", [10000, 20000])]}, user) == [
        "ent-late",
        "ent-soon",
    ]
    assert _names({"match": "all", "groups": []}, user) == ["ent-late", "ent-soon", "mine", "small-red"]


def test_custom_field_condition_and_last_touch():
    user = UserFactory()
    CustomFieldDefinitionFactory(key="seats", field_type="number")
    AccountFactory(name="big", custom_fields={"seats": 500}, last_touch_at=timezone.now() - timedelta(days=90))
    AccountFactory(name="small", custom_fields={"seats": 5}, last_touch_at=timezone.now())
    assert _names({"conditions": [_cond("cf.seats", "gte", 100)]}, user) == ["big"]
    assert _names({"conditions": [_cond("last_touch_days", "more_than", 60)]}, user) == ["big"]


def test_bad_conditions_are_named():
    with pytest.raises(ValidationError) as exc:
        saved_view_definition_clean(
            {
                "match": "either",
                "groups": [
                    {
                        "conditions": [
                            _cond("nope", "in", []),
                            _cond("tier", "in", ["platinum"]),
                            _cond("arr", "near", 1),
                        ]
                    }
                ],
            }
        )
    errors = exc.value.message_dict
    assert set(errors) == {
        "definition.match",
        "definition.groups.0.conditions.0.field",
        "definition.groups.0.conditions.1.value",
        "definition.groups.0.conditions.2.op",
    }
    assert "platinum" in errors["definition.groups.0.conditions.1.value"][0]


def test_archived_custom_field_matches_nothing():
    user = UserFactory()
    field = CustomFieldDefinitionFactory(key="seats", field_type="number")
    AccountFactory(custom_fields={"seats": 500})
    definition = saved_view_definition_clean({"conditions": [_cond("cf.seats", "gte", 1)]}, user=user)
    field.archived = True
    field.save()
    from accounts.custom_fields.definitions import custom_field_definitions_changed

    custom_field_definitions_changed()
    assert saved_view_accounts(definition=definition, user=user).count() == 0


def test_page_and_count_are_one_query_each(django_assert_num_queries):
    # given: conditions from every floor's filters
    user = UserFactory()
    CustomFieldDefinitionFactory(key="seats", field_type="number")
    for i in range(5):
        AccountFactory(tier="key", custom_fields={"seats": i * 100})
    definition = saved_view_definition_clean(
        {
            "conditions": [
                _cond("tier", "in", ["key"]),
                _cond("cf.seats", "gte", 100),
                _cond("measure.usage_frequency", "lte", 100),
                _cond("last_nps", "lte", 10),
                _cond("open_tasks", "lte", 3),
                _cond("detractor_quarter", "is_false"),
            ]
        },
        user=user,
    )
    view = SavedViewFactory(owner=user, definition=definition)
    # then
    with django_assert_num_queries(1):
        list(saved_view_accounts(definition=definition, user=user)[:50])
    with django_assert_num_queries(1):
        assert saved_view_count(view=view, user=user) == 0  # no snapshot, no answer yet
    with django_assert_num_queries(0):
        saved_view_count(view=view, user=user)  # cached
