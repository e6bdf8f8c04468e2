"""Writing audit rows: `audit_record` for anything (logins, exports), and the model-signal
handlers that turn saves and deletes of registered models into create / update / delete rows
with before and after."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.db import models

from core.client_address import client_ip

from .context import current_request
from .models import AuditAction, AuditEvent

__all__ = ["audit_record", "field_values", "diff"]

REDACTED = "••••••"


def _plain(value: Any) -> Any:
    """A JSON-safe copy of a field's value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dict | list | tuple):
        return value if isinstance(value, dict) else list(value)
    return str(value)


def field_values(instance: models.Model, *, exclude: frozenset[str]) -> dict[str, Any]:
    values = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude or field.attname in exclude:
            continue
        values[field.name] = _plain(field.value_from_object(instance))
    return values


def _hidden(value: Any) -> str:
    return REDACTED if value else ""


def diff(before: dict[str, Any], after: dict[str, Any], *, redact: frozenset[str] = frozenset()) -> dict[str, list]:
    """{field: [before, after]} for the fields whose value changed; a redacted field that changed
    shows as ["••••••", "••••••"]: that it changed, never what."""
    changes = {}
    for name, value in after.items():
        old = before.get(name)
        if old != value:
            changes[name] = [_hidden(old), _hidden(value)] if name in redact else [old, value]
    return changes


def _actor(actor=None) -> tuple[Any, str]:
    if actor is not None:
        return (actor if getattr(actor, "pk", None) else None), str(getattr(actor, "username", actor))[:160]
    request = current_request()
    user = getattr(request, "user", None) if request is not None else None
    if user is None or not getattr(user, "is_authenticated", False):
        return None, "system" if request is None else "anonymous"
    if getattr(user, "pk", None) is None:  # an API key (core.api.authentication.APIKeyUser)
        return None, str(user.username)[:160]
    return user, user.username[:160]


def audit_record(
    *,
    action: str,
    instance: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict | None = None,
    extra: dict | None = None,
    actor=None,
) -> AuditEvent:
    """Append one row. The actor, address and path come from the current request unless an
    `actor` (a user, or a label such as "system") is given."""
    user, label = _actor(actor)
    request = current_request()
    if instance is not None:
        object_type = object_type or instance._meta.label_lower
        object_id = object_id or str(instance.pk or "")
        object_repr = object_repr or str(instance)
    return AuditEvent.objects.create(
        actor=user,
        actor_label=label,
        action=action,
        object_type=object_type[:100],
        object_id=str(object_id)[:64],
        object_repr=object_repr[:255],
        changes=changes or {},
        extra=extra or {},
        ip_address=client_ip(request)[:64] if request is not None else "",
        user_agent=(request.headers.get("User-Agent", "") if request is not None else "")[:255],
        path=(request.get_full_path() if request is not None else "")[:255],
    )


def record_change(
    instance: models.Model, *, created: bool, before: dict | None, after: dict, redact: frozenset[str]
) -> None:
    if created:
        changes = {k: [None, _hidden(v) if k in redact else v] for k, v in after.items()}
        audit_record(action=AuditAction.CREATE, instance=instance, changes=changes)
        return
    changes = diff(before or {}, after, redact=redact)
    if changes:
        audit_record(action=AuditAction.UPDATE, instance=instance, changes=changes)


def record_delete(instance: models.Model, *, before: dict, redact: frozenset[str]) -> None:
    changes = {k: [_hidden(v) if k in redact else v, None] for k, v in before.items()}
    audit_record(action=AuditAction.DELETE, instance=instance, changes=changes)
