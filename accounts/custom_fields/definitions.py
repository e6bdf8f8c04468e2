"""Reads of custom field definitions, cached per definition version: every API write, import
chunk and page reads them, and they change only when an admin edits one."""

from __future__ import annotations

from django.core.cache import cache

from .models import CustomFieldDefinition

__all__ = ["custom_field_definitions", "custom_field_definitions_changed", "custom_field_get"]

VERSION_KEY = "accounts:custom_fields:version"


def _version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = 1
        cache.add(VERSION_KEY, version, None)
    return version


def custom_field_definitions_changed() -> None:
    """Call after any write to a definition (the services do)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)


def custom_field_definitions(*, entity: str, include_archived: bool = False) -> list[CustomFieldDefinition]:
    """The entity's definitions in display order (one query per definition version)."""
    key = f"accounts:custom_fields:{_version()}:{entity}"
    rows = cache.get(key)
    if rows is None:
        rows = list(CustomFieldDefinition.objects.filter(entity=entity))
        cache.set(key, rows, 3600)
    return [d for d in rows if include_archived or not d.archived]


def custom_field_get(*, entity: str, key: str, include_archived: bool = False) -> CustomFieldDefinition | None:
    for definition in custom_field_definitions(entity=entity, include_archived=include_archived):
        if definition.key == key:
            return definition
    return None
