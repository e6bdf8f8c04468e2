"""The change log: every change to an account's (or a contact's) fields is one timeline entry of
kind "change" per save, with who (the author), when, and each field's before and after in
`metadata["changes"]` ([{"field", "label", "before", "after"}], display values) and where it
came from (`metadata["source"]`: page, api, import, reassignment, undo).

One writer for the account page's in-place edits (accounts.editing), the API (PATCH and upserts)
and the CSV import (accounts.records), so the log reads the same whichever way a value changed.
`change_entries` builds the entries of many saves from {pk: {field: old raw value}} with one
query per kind of foreign key; the caller bulk-creates them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import override

from core.models import User

from .choices import ActivityKind
from .models import Account, Activity, Contact, Persona

__all__ = [
    "ACCOUNT_TRACKED",
    "CONTACT_TRACKED",
    "change_entries",
    "changes_log",
]

# field -> label (English; the timeline shows them as written, like other system entries)
ACCOUNT_TRACKED = {
    "name": "Name",
    "domain": "Domain",
    "owner": "Owner",
    "tier": "Tier",
    "segment": "Segment",
    "lifecycle_stage": "Lifecycle stage",
    "parent": "Parent",
    "industry": "Industry",
    "currency": "Currency",
}
CONTACT_TRACKED = {
    "name": "Name",
    "email": "E-mail",
    "title": "Title",
    "persona": "Persona",
    "language": "Language",
    "timezone": "Time zone",
    "account": "Account",
}
_FK_NAMES: dict[str, tuple[Any, Any]] = {
    "owner": (User, lambda u: u.get_full_name() or u.username),
    "parent": (Account, str),
    "account": (Account, str),
    "persona": (Persona, str),
}


def _display(model: Any, name: str, raw: Any, fk_labels: Mapping) -> str:
    if raw is None or raw == "":
        return ""
    if name in _FK_NAMES:
        return fk_labels.get((name, raw), str(raw))
    field: Any = model._meta.get_field(name)
    if field.choices:
        with override(settings.LANGUAGE_CODE):  # stored as written in the source language, like the labels
            return str(dict(field.flatchoices).get(raw, raw))
    return str(raw)


def _fk_labels(pairs: Iterable[tuple[str, Any]]) -> dict:
    wanted: dict[str, set] = {}
    for name, raw in pairs:
        if name in _FK_NAMES and raw not in (None, ""):
            wanted.setdefault(name, set()).add(raw)
    labels = {}
    for name, ids in wanted.items():
        model, label = _FK_NAMES[name]
        for obj in model.objects.filter(pk__in=ids):
            labels[(name, obj.pk)] = label(obj)
    return labels


def change_entries(
    *,
    objects: Iterable[Any],
    before: Mapping[int, Mapping[str, Any]],
    author=None,
    source: str,
    extra: Mapping[str, Any] | None = None,
) -> list[Activity]:
    """Unsaved timeline entries, one per object of `objects` whose tracked fields changed:
    `before[pk]` holds the old raw values (FK ids) of the fields written."""
    rows = []
    pairs: list[tuple[str, Any]] = []
    for obj in objects:
        old = before.get(obj.pk)
        if not old:
            continue
        tracked = ACCOUNT_TRACKED if isinstance(obj, Account) else CONTACT_TRACKED
        fields = [f for f in tracked if f in old]
        if not fields:
            continue
        rows.append((obj, tracked, fields, old))
        for f in fields:
            attname = obj._meta.get_field(f).attname
            pairs += [(f, old[f]), (f, getattr(obj, attname))]
    if not rows:
        return []
    labels = _fk_labels(pairs)
    now = timezone.now()
    entries = []
    for obj, tracked, fields, old in rows:
        model = type(obj)
        changes = [
            {
                "field": f,
                "label": tracked[f],
                "before": _display(model, f, old[f], labels),
                "after": _display(model, f, getattr(obj, model._meta.get_field(f).attname), labels),
            }
            for f in fields
        ]
        is_contact = isinstance(obj, Contact)
        if is_contact and obj.account_id is None:
            continue  # a contact on no account has no timeline
        subject = ", ".join(c["label"] for c in changes)
        subject = f"{'Contact ' + str(obj) + ': ' if is_contact else ''}Changed {subject}"[:255]
        body = "\n".join(f"{c['label']}: {c['before'] or '—'} → {c['after'] or '—'}" for c in changes)
        entries.append(
            Activity(
                account_id=obj.account_id if is_contact else obj.pk,
                contact=obj if is_contact else None,
                kind=ActivityKind.CHANGE,
                author=author if getattr(author, "pk", None) else None,
                subject=subject,
                body=body,
                occurred_at=now,
                metadata={"changes": changes, "source": source, **(extra or {})},
            )
        )
    return entries


def changes_log(
    *,
    objects: Iterable[Any],
    before: Mapping[int, Mapping[str, Any]],
    author=None,
    source: str,
    extra: Mapping[str, Any] | None = None,
) -> int:
    """Write the entries of `change_entries` (one INSERT per 1,000). Returns how many."""
    entries = change_entries(objects=objects, before=before, author=author, source=source, extra=extra)
    Activity.objects.bulk_create(entries, batch_size=1000)
    return len(entries)
