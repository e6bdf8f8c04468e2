"""Each custom field type's operators as a queryset filter (a `Q` on the JSON key, never a
loop over rows) and its sort expression. On PostgreSQL both compile to the expression the
field's index is built on (accounts.sql): `custom_fields -> 'key'`, `custom_fields #> '{key,amount}'`.

Operators (value):
- text: eq / ne (text), contains (text), empty / not_empty
- number, money (on the amount): eq / gt / gte / lt / lte (number), empty / not_empty
- date: before / after / on (YYYY-MM-DD), older_than_days / within_next_days (whole days), empty / not_empty
- boolean: is_true / is_false, empty
- choice, user: in / not_in (a list), empty / not_empty
- multi_choice: has_any / has_all (a list), empty / not_empty
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import CustomFieldDefinition, CustomFieldType
from .values import custom_field_value_clean

__all__ = [
    "CUSTOM_FIELD_OPERATORS",
    "OPERATOR_LABELS",
    "custom_field_order",
    "custom_field_q",
    "custom_field_q_validate",
]

_EMPTY = ("empty", "not_empty")
CUSTOM_FIELD_OPERATORS: dict[str, tuple[str, ...]] = {
    CustomFieldType.TEXT: ("eq", "ne", "contains", *_EMPTY),
    CustomFieldType.NUMBER: ("eq", "gt", "gte", "lt", "lte", *_EMPTY),
    CustomFieldType.MONEY: ("eq", "gt", "gte", "lt", "lte", *_EMPTY),
    CustomFieldType.DATE: ("before", "after", "on", "older_than_days", "within_next_days", *_EMPTY),
    CustomFieldType.BOOLEAN: ("is_true", "is_false", "empty"),
    CustomFieldType.CHOICE: ("in", "not_in", *_EMPTY),
    CustomFieldType.USER: ("in", "not_in", *_EMPTY),
    CustomFieldType.MULTI_CHOICE: ("has_any", "has_all", *_EMPTY),
}

OPERATOR_LABELS = {
    "eq": _("is"),
    "ne": _("is not"),
    "contains": _("contains"),
    "gt": _("more than"),
    "gte": _("at least"),
    "lt": _("less than"),
    "lte": _("at most"),
    "before": _("before"),
    "after": _("after"),
    "on": _("on"),
    "older_than_days": _("more than N days ago"),
    "within_next_days": _("within the next N days"),
    "is_true": _("is yes"),
    "is_false": _("is no"),
    "in": _("is any of"),
    "not_in": _("is none of"),
    "has_any": _("has any of"),
    "has_all": _("has all of"),
    "empty": _("is empty"),
    "not_empty": _("is not empty"),
}

_NO_VALUE = ("empty", "not_empty", "is_true", "is_false")
_LIST_OPS = ("in", "not_in", "has_any", "has_all")
_DAY_OPS = ("older_than_days", "within_next_days")


def _path(definition: CustomFieldDefinition, prefix: str) -> str:
    path = f"{prefix}custom_fields__{definition.key}"
    return f"{path}__amount" if definition.field_type == CustomFieldType.MONEY else path


def custom_field_q_validate(definition: CustomFieldDefinition, op: str, value):
    """The operator's value in its stored form; raises ValueError with the reason."""
    if op not in CUSTOM_FIELD_OPERATORS[definition.field_type]:
        raise ValueError(
            _("operator must be one of: %(ops)s") % {"ops": ", ".join(CUSTOM_FIELD_OPERATORS[definition.field_type])}
        )
    if op in _NO_VALUE:
        return None
    if op in _DAY_OPS:
        try:
            days = int(value)
        except (TypeError, ValueError):
            raise ValueError(_("must be a whole number of days")) from None
        if not 0 <= days <= 36500:
            raise ValueError(_("must be between 0 and 36500 days"))
        return days
    if op in _LIST_OPS:
        values = value if isinstance(value, list) else [value]
        cleaned = [custom_field_value_clean(_single(definition), v) for v in values]
        cleaned = [v for v in cleaned if v is not None]
        if not cleaned:
            raise ValueError(_("pick at least one value"))
        return cleaned
    if op == "contains":
        if not isinstance(value, str) or not value.strip():
            raise ValueError(_("must be some text"))
        return value.strip()
    if definition.field_type == CustomFieldType.MONEY:
        cleaned = custom_field_value_clean(definition, value)
        return None if cleaned is None else cleaned["amount"]
    cleaned = custom_field_value_clean(definition, value)
    if cleaned is None:
        raise ValueError(_("a value is needed"))
    return cleaned


def _single(definition: CustomFieldDefinition) -> CustomFieldDefinition:
    """A multi-choice field's single values validate as a choice."""
    if definition.field_type != CustomFieldType.MULTI_CHOICE:
        return definition
    return CustomFieldDefinition(key=definition.key, field_type=CustomFieldType.CHOICE, choices=definition.choices)


def custom_field_q(definition: CustomFieldDefinition, op: str, value, *, prefix: str = "") -> Q:
    """The filter for `op` and an already validated `value` (custom_field_q_validate) over
    accounts (or contacts), or over rows whose account sits at `prefix` ("account__")."""
    path = _path(definition, prefix)
    has_key = Q(**{f"{prefix}custom_fields__has_key": definition.key})
    today = timezone.localdate()
    if op == "empty":
        return ~has_key
    if op == "not_empty":
        return has_key
    if op == "is_true":
        return Q(**{path: True})
    if op == "is_false":
        return Q(**{path: False})
    if op == "eq" or op == "on":
        return Q(**{path: value})
    if op == "ne":
        return has_key & ~Q(**{path: value})
    if op == "contains":
        return Q(**{f"{path}__icontains": value})
    if op in ("gt", "gte", "lt", "lte"):
        return Q(**{f"{path}__{op}": value})
    if op == "before":
        return Q(**{f"{path}__lt": value})
    if op == "after":
        return Q(**{f"{path}__gt": value})
    if op == "older_than_days":
        return Q(**{f"{path}__lt": (today - timedelta(days=value)).isoformat()})
    if op == "within_next_days":
        return Q(**{f"{path}__gte": today.isoformat(), f"{path}__lte": (today + timedelta(days=value)).isoformat()})
    if op == "in":
        return Q(**{f"{path}__in": value})
    if op == "not_in":
        return has_key & ~Q(**{f"{path}__in": value})
    if op in ("has_any", "has_all"):
        from ..sql import json_array_has_q

        parts = [json_array_has_q(path, v) for v in value]
        combined = parts[0]
        for part in parts[1:]:
            combined = combined | part if op == "has_any" else combined & part
        return combined
    raise ValueError(f"unknown operator {op!r}")


def custom_field_order(definition: CustomFieldDefinition, *, descending: bool = False):
    """The sort expression (records without a value last)."""
    expression = F(_path(definition, ""))
    return expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
