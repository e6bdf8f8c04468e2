"""Writes of custom field definitions (the admin page, the API) and of one record's values
(the account page's in-place edit). Values written by the API and the CSV import go through
accounts.records with `custom_field_values_clean` in the serializers."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..choices import ActivityKind
from .definitions import custom_field_definitions, custom_field_definitions_changed
from .models import LABEL_LANGUAGES, CustomFieldDefinition, CustomFieldEntity, CustomFieldType
from .values import custom_field_display, custom_field_values_clean, custom_fields_merge

__all__ = [
    "custom_field_define",
    "custom_field_index_sync",
    "custom_field_update",
    "custom_field_values_set",
]

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CHOICE_TYPES = (CustomFieldType.CHOICE, CustomFieldType.MULTI_CHOICE)
MAX_CHOICES = 100


def _check(*, entity: str, key: str, field_type: str, labels: dict, choices: list) -> tuple[dict, list]:
    errors: dict[str, list[str]] = {}
    if entity not in CustomFieldEntity.values:
        errors["entity"] = [_("must be account or contact")]
    if not KEY_PATTERN.match(key or ""):
        errors["key"] = [_("use lower-case letters, digits and _ (starting with a letter, at most 40)")]
    if field_type not in CustomFieldType.values:
        errors["field_type"] = [_("unknown type")]
    labels = {lang: str(text).strip()[:120] for lang, text in (labels or {}).items() if str(text or "").strip()}
    if set(labels) - set(LABEL_LANGUAGES):
        errors["labels"] = [_("labels are given in en, ar, fa and zh-hans")]
    elif not labels.get("en"):
        errors["labels"] = [_("the English label is required")]
    cleaned_choices: list[str] = []
    if field_type in CHOICE_TYPES:
        seen = set()
        for choice in choices or []:
            text = str(choice).strip()
            if text and text.casefold() not in seen:
                seen.add(text.casefold())
                cleaned_choices.append(text[:120])
        if not cleaned_choices:
            errors["choices"] = [_("a choice field needs at least one choice")]
        elif len(cleaned_choices) > MAX_CHOICES:
            errors["choices"] = [_("at most %(max)d choices") % {"max": MAX_CHOICES}]
    if errors:
        raise ValidationError(errors)
    return labels, cleaned_choices


def _schedule_index(definition: CustomFieldDefinition) -> None:
    from ..tasks import custom_field_index_sync_task

    transaction.on_commit(lambda: custom_field_index_sync_task.delay(definition.pk))


@transaction.atomic
def custom_field_define(
    *,
    entity: str,
    key: str,
    field_type: str,
    labels: dict,
    choices: list | None = None,
    required: bool = False,
    filterable: bool = True,
) -> CustomFieldDefinition:
    """Define a custom field. Its index (PostgreSQL, filterable fields) is built after commit."""
    labels, choices = _check(entity=entity, key=key, field_type=field_type, labels=labels, choices=choices or [])
    if CustomFieldDefinition.objects.filter(entity=entity, key=key).exists():
        raise ValidationError({"key": [_("a field with this key exists (archived ones too)")]})
    definition = CustomFieldDefinition.objects.create(
        entity=entity,
        key=key,
        field_type=field_type,
        labels=labels,
        choices=choices,
        required=required,
        filterable=filterable,
        position=CustomFieldDefinition.objects.filter(entity=entity).count(),
    )
    custom_field_definitions_changed()
    _schedule_index(definition)
    return definition


@transaction.atomic
def custom_field_update(
    *,
    definition: CustomFieldDefinition,
    labels: dict | None = None,
    choices: list | None = None,
    required: bool | None = None,
    filterable: bool | None = None,
    archived: bool | None = None,
) -> CustomFieldDefinition:
    """Change labels, choices, required, filterable or archived. The key and type stay (stored
    values are in the type's form); archiving keeps the values and drops the index."""
    new_labels, new_choices = _check(
        entity=definition.entity,
        key=definition.key,
        field_type=definition.field_type,
        labels=definition.labels if labels is None else labels,
        choices=definition.choices if choices is None else choices,
    )
    definition.labels, definition.choices = new_labels, new_choices
    for name, value in (("required", required), ("filterable", filterable), ("archived", archived)):
        if value is not None:
            setattr(definition, name, value)
    definition.save()
    custom_field_definitions_changed()
    _schedule_index(definition)
    return definition


def custom_field_index_sync(*, definition_id: int) -> None:
    """Make the index match the definition: present for a live filterable field, absent
    otherwise (idempotent; the task runs it after commit)."""
    from .. import sql

    definition = CustomFieldDefinition.objects.filter(pk=definition_id).first()
    if definition is None:
        return
    if definition.filterable and not definition.archived:
        sql.custom_field_index_ensure(definition)
    else:
        sql.custom_field_index_drop(definition)


@transaction.atomic
def custom_field_values_set(*, record, values: dict, author=None):
    """Set some custom fields of an account or contact (the page's in-place edit): validated by
    `custom_field_values_clean`, merged into the JSON, one timeline entry on the account with
    each changed field's before and after. Returns {key: (before, after)} of what changed."""
    from ..models import Account
    from ..services import activity_create

    entity = CustomFieldEntity.ACCOUNT if isinstance(record, Account) else CustomFieldEntity.CONTACT
    account = record if isinstance(record, Account) else record.account
    current = record.custom_fields or {}
    cleaned = custom_field_values_clean(
        entity=entity, values=values, existing=current, default_currency=getattr(account, "currency", "USD") or "USD"
    )
    merged = custom_fields_merge(current, cleaned)
    changed = {key: (current.get(key), merged.get(key)) for key in cleaned if current.get(key) != merged.get(key)}
    if not changed:
        return {}
    record.custom_fields = merged
    record.save(update_fields=["custom_fields", "updated_at"])
    if account is not None:
        by_key = {d.key: d for d in custom_field_definitions(entity=entity)}
        # The change log's shape (accounts.changelog): kind "change", metadata["changes"] a list
        # of {"field", "label", "before", "after"} display values, so the timeline shows these
        # rows like any other edit; metadata["change"] keeps the raw values.
        changes = [
            {
                "field": f"custom_fields.{key}",
                "label": str(by_key[key].label),
                "before": custom_field_display(by_key[key], before) or "",
                "after": custom_field_display(by_key[key], after) or "",
            }
            for key, (before, after) in changed.items()
        ]
        lines = [
            _("%(field)s: %(before)s → %(after)s")
            % {"field": c["label"], "before": c["before"] or "—", "after": c["after"] or "—"}
            for c in changes
        ]
        subject = (
            _("Custom fields changed")
            if entity == CustomFieldEntity.ACCOUNT
            else _("%(contact)s: custom fields changed")
        ) % {"contact": str(record)}
        activity_create(
            account=account,
            kind=ActivityKind.CHANGE,
            author=author,
            subject=subject,
            body="\n".join(lines),
            contact=record if entity == CustomFieldEntity.CONTACT else None,
            metadata={
                "changes": changes,
                "source": "page",
                "change": {
                    "entity": entity,
                    "record": record.pk,
                    "fields": {f"custom_fields.{k}": {"before": b, "after": a} for k, (b, a) in changed.items()},
                },
            },
        )
    return changed
