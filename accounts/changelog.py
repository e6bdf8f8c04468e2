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
from django.utils.translation import gettext, override
from django.utils.translation import gettext_noop as N_

from core.models import User

from .choices import ActivityKind
from .models import Account, Activity, Contact, Persona

__all__ = [
    "ACCOUNT_TRACKED",
    "CONTACT_TRACKED",
    "change_entries",
    "change_label",
    "change_subject",
    "change_value",
    "changes_log",
]

# field -> label, stored in the source language (English) and translated when shown (change_label)
ACCOUNT_TRACKED = {
    "name": N_("Name"),
    "domain": N_("Domain"),
    "owner": N_("Owner"),
    "tier": N_("Tier"),
    "segment": N_("Segment"),
    "lifecycle_stage": N_("Lifecycle stage"),
    "parent": N_("Parent"),
    "industry": N_("Industry"),
    "currency": N_("Currency"),
}
CONTACT_TRACKED = {
    "name": N_("Name"),
    "email": N_("E-mail"),
    "title": N_("Title"),
    "persona": N_("Persona"),
    "language": N_("Language"),
    "timezone": N_("Time zone"),
    "account": N_("Account"),
}
# fields other modules log the same way (accounts.teams, accounts.reassign)
OTHER_TRACKED = {"team": N_("Account team")}
_LABELS = {**CONTACT_TRACKED, **ACCOUNT_TRACKED, **OTHER_TRACKED}
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


def change_label(change: Mapping[str, Any]) -> str:
    """A stored change's field label in the reader's language: the platform's own fields by their
    key, anything else (custom fields carry their own labels per language) as it was stored."""
    label = _LABELS.get(change.get("field", ""))
    return gettext(label) if label else str(change.get("label", ""))


def change_value(change: Mapping[str, Any], which: str) -> str:
    """A stored change's "before" or "after" in the reader's language: a choice's label (tier,
    lifecycle stage) is stored in the source language and looked up again; other values as stored."""
    value = str(change.get(which) or "")
    names = _choice_names(change.get("field", ""))
    return str(names.get(value, value))


_CHOICE_NAMES: dict[str, dict[str, Any]] = {}


def _choice_names(field: str) -> dict[str, Any]:
    """{source-language label: lazy label} of an account field with choices (cached per process)."""
    if field not in ACCOUNT_TRACKED:
        return {}
    if field not in _CHOICE_NAMES:
        choices = Account._meta.get_field(field).flatchoices if field not in _FK_NAMES else []
        with override(settings.LANGUAGE_CODE):
            _CHOICE_NAMES[field] = {str(label): label for _value, label in choices}
    return _CHOICE_NAMES[field]


def change_subject(changes: Iterable[Mapping[str, Any]], *, contact: str = "") -> str:
    """The subject of a change entry, as `change_entries` writes it, in the reader's language."""
    fields = ", ".join(change_label(c) for c in changes)
    if contact:
        return gettext("Contact %(contact)s: changed %(fields)s") % {"contact": contact, "fields": fields}
    return gettext("Changed %(fields)s") % {"fields": fields}


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
