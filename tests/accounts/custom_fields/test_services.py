"""Definition services (checks, the index built after commit on PostgreSQL, archiving drops
it) and the page's values write (timeline entry with before / after)."""

import pytest
from django.core.exceptions import ValidationError

from accounts import sql
from accounts.custom_fields import custom_field_define, custom_field_update, custom_field_values_set
from accounts.models import Activity
from core.db import is_postgresql
from tests.factories import AccountFactory, CustomFieldDefinitionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_define_checks_key_labels_and_choices():
    with pytest.raises(ValidationError) as exc:
        custom_field_define(entity="account", key="Bad Key", field_type="choice", labels={"ar": "x"}, choices=[])
    assert set(exc.value.message_dict) == {"key", "labels", "choices"}


def test_define_twice_is_refused(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        custom_field_define(entity="account", key="region", field_type="text", labels={"en": "Region"})
    with pytest.raises(ValidationError) as exc:
        custom_field_define(entity="account", key="region", field_type="text", labels={"en": "Region"})
    assert "key" in exc.value.message_dict


def test_index_built_after_commit_and_dropped_when_archived(django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        definition = custom_field_define(
            entity="account", key="budget", field_type="money", labels={"en": "Budget", "ar": "الميزانية"}
        )
    # then
    assert sql.custom_field_index_exists(definition) is is_postgresql()
    with django_capture_on_commit_callbacks(execute=True):
        custom_field_update(definition=definition, archived=True)
    assert sql.custom_field_index_exists(definition) is False


def test_label_falls_back_to_english():
    from django.utils import translation

    definition = CustomFieldDefinitionFactory(key="region", labels={"en": "Region", "ar": "المنطقة"})
    with translation.override("ar"):
        assert definition.label == "المنطقة"
    with translation.override("zh-hans"):
        assert definition.label == "Region"


def test_values_set_writes_timeline_with_before_and_after():
    # given
    CustomFieldDefinitionFactory(key="seats", field_type="number", labels={"en": "Seats"})
    account = AccountFactory(custom_fields={"seats": 10, "stripe_payment_failed_at": "x"})
    author = UserFactory()
    # when
    changed = custom_field_values_set(record=account, values={"seats": "12"}, author=author)
    # then
    account.refresh_from_db()
    assert changed == {"seats": (10, 12)}
    assert account.custom_fields == {"seats": 12, "stripe_payment_failed_at": "x"}
    entry = Activity.objects.get(account=account)
    assert entry.author == author
    # written as the change log writes an edit (accounts.changelog), so it renders like one
    assert entry.kind == "change"
    assert entry.metadata["changes"] == [
        {"field": "custom_fields.seats", "label": "Seats", "before": "10", "after": "12"}
    ]
    assert entry.metadata["change"]["fields"] == {"custom_fields.seats": {"before": 10, "after": 12}}
    assert "Seats: 10 → 12" in entry.body
    # the same value again changes nothing and writes no entry
    assert custom_field_values_set(record=account, values={"seats": 12}) == {}
    assert Activity.objects.filter(account=account).count() == 1


def test_values_set_refuses_a_bad_value_and_writes_nothing():
    CustomFieldDefinitionFactory(key="seats", field_type="number")
    account = AccountFactory()
    with pytest.raises(ValidationError):
        custom_field_values_set(record=account, values={"seats": "lots"})
    account.refresh_from_db()
    assert account.custom_fields == {}
    assert not Activity.objects.filter(account=account).exists()


def test_definitions_are_on_the_audit_trail(django_capture_on_commit_callbacks):
    from core.audit.models import AuditEvent

    with django_capture_on_commit_callbacks(execute=True):
        definition = custom_field_define(entity="account", key="region", field_type="text", labels={"en": "Region"})
        custom_field_update(definition=definition, archived=True)
    assert AuditEvent.objects.filter(object_type="accounts.customfielddefinition").count() == 2
