"""Account custom fields as health measures (issue 17): a number, money (the amount, in the
field's own currency), yes / no (1 or 0) or date (its age in days as of the day scored)
custom field can be weighed in a scorecard like any measure, under the key `cf.<key>`.

Definitions are data, not code: `custom_field_measures_sync()` keeps the measure library
(health.registry) in step with them, once per definition version, and is called where the
library is read (the recompute, a history, the scorecard editor, the account's card). Each
measure is set-based: one query over the accounts' JSON, whatever their number."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import F
from django.utils.translation import gettext as _

from accounts.custom_fields import CustomFieldDefinition, CustomFieldType, custom_field_definitions
from accounts.custom_fields.definitions import _version as definitions_version
from accounts.models import Account
from usage.rollups import account_filter

from .registry import Measure, measure_remove, measure_replace, measures_keys

__all__ = ["MEASURE_TYPES", "custom_field_measure", "custom_field_measures_sync"]

MEASURE_TYPES = (CustomFieldType.NUMBER, CustomFieldType.MONEY, CustomFieldType.BOOLEAN, CustomFieldType.DATE)
PREFIX = "cf."
_synced = {"version": None}


def _raw(definition: CustomFieldDefinition, value, as_of: date) -> float | None:
    if value is None:
        return None
    kind = definition.field_type
    try:
        if kind == CustomFieldType.MONEY:
            return float(value["amount"]) if isinstance(value, dict) else None
        if kind == CustomFieldType.BOOLEAN:
            return 1.0 if value is True else 0.0 if value is False else None
        if kind == CustomFieldType.DATE:
            return float((as_of - date.fromisoformat(value)).days)
        return float(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError, KeyError):
        return None  # a value stored before the field was defined, in another form


def custom_field_measure(definition: CustomFieldDefinition) -> Measure:
    key = definition.key

    def compute(as_of: date, account_ids: Iterable[int] | None) -> dict[int, float | None]:
        if account_ids is not None and not isinstance(account_ids, list):
            account_ids = list(account_ids)
        rows = account_filter(Account.objects.filter(custom_fields__has_key=key), account_ids, field="id").values_list(
            "id", F(f"custom_fields__{key}")
        )
        return {pk: _raw(definition, value, as_of) for pk, value in rows}

    unit = {
        CustomFieldType.DATE: _("days since"),
        CustomFieldType.BOOLEAN: _("1 = yes"),
        CustomFieldType.MONEY: _("amount"),
    }.get(definition.field_type, "")
    return Measure(
        key=f"{PREFIX}{key}",
        label=definition.label,
        compute=compute,
        unit=unit,
        description=_("Custom field %(key)s") % {"key": key},
    )


def custom_field_measures_sync() -> None:
    """Register a measure per live number / money / yes-no / date account custom field, and
    remove those of archived or deleted fields (cheap when nothing changed)."""
    version = definitions_version()
    if _synced["version"] == version:
        return
    wanted = {
        f"{PREFIX}{d.key}": d for d in custom_field_definitions(entity="account") if d.field_type in MEASURE_TYPES
    }
    for key in measures_keys():
        if key.startswith(PREFIX) and key not in wanted:
            measure_remove(key)
    for definition in wanted.values():
        measure_replace(custom_field_measure(definition))
    _synced["version"] = version
