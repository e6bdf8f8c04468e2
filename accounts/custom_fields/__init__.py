"""Typed custom fields on accounts and contacts (issue 17, item 4).

- `models`: `CustomFieldDefinition` (entity, key, type, choices, labels per language, required,
  filterable, archived).
- `values`: `custom_field_values_clean` (the one validator and normaliser: API, CSV import, the
  account page), `custom_fields_merge`, `custom_field_display`.
- `definitions`: cached reads of the definitions; `services`: define / update / archive, the
  index sync (accounts.sql), values set with a timeline entry.
- `lookups`: each type's operators as queryset filters and the sort expression (saved views,
  playbook conditions).
"""

from .definitions import custom_field_definitions, custom_field_get
from .lookups import CUSTOM_FIELD_OPERATORS, custom_field_order, custom_field_q, custom_field_q_validate
from .models import CustomFieldDefinition, CustomFieldEntity, CustomFieldType
from .services import custom_field_define, custom_field_index_sync, custom_field_update, custom_field_values_set
from .values import custom_field_display, custom_field_value_clean, custom_field_values_clean, custom_fields_merge

__all__ = [
    "CUSTOM_FIELD_OPERATORS",
    "CustomFieldDefinition",
    "CustomFieldEntity",
    "CustomFieldType",
    "custom_field_define",
    "custom_field_definitions",
    "custom_field_display",
    "custom_field_get",
    "custom_field_index_sync",
    "custom_field_order",
    "custom_field_q",
    "custom_field_q_validate",
    "custom_field_update",
    "custom_field_value_clean",
    "custom_field_values_clean",
    "custom_field_values_set",
    "custom_fields_merge",
]
