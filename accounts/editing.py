"""Editing accounts and contacts in the product (issue 17): one field at a time, in place on
the account page (htmx), validated here, each save one "change" entry on the timeline
(accounts.changelog), the same log the API and the CSV import write through accounts.records.

`account_update` / `contact_update` take the new values (model instances for foreign keys),
raise ValidationError({field: message}) for a bad one and write nothing then. The form side of a
field (its input, its choices, how a typed value is read) is `FieldSpec`: the page renders a list
of rows (`account_field_rows`, `contact_field_rows`), so another field (h2's typed custom
fields) is one more row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.choices import Role
from core.models import User

from .changelog import changes_log
from .choices import LifecycleStage, Tier
from .models import Account, Contact, Persona

__all__ = [
    "ACCOUNT_FIELDS",
    "CONTACT_FIELDS",
    "FieldSpec",
    "account_field_rows",
    "account_update",
    "contact_field_rows",
    "contact_update",
    "field_row",
    "owner_choices",
]

DOMAIN = re.compile(r"^(?=.{1,255}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.IGNORECASE)
LANGUAGE = re.compile(r"^[a-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")


# Section: validation (shared by the page and the services)


def _text(value, *, required: bool = False, max_length: int) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise ValidationError(_("Enter text."))
    if required and not text:
        raise ValidationError(_("This cannot be empty."))
    if len(text) > max_length:
        raise ValidationError(_("At most %(n)d characters.") % {"n": max_length})
    return text


def _domain(value) -> str:
    text = _text(value, max_length=255).lower().removeprefix("https://").removeprefix("http://").rstrip("/")
    if text and not DOMAIN.match(text):
        raise ValidationError(_("Enter a domain such as example.com."))
    return text


def _choice(choices) -> Callable[[Any], str]:
    def clean(value) -> str:
        if value not in choices.values:
            raise ValidationError(_("Choose one of the listed values."))
        return value

    return clean


def _owner(value) -> User | None:
    if value is None:
        return None
    if not (isinstance(value, User) and value.is_active and value.has_role(Role.CSM)):
        raise ValidationError(_("Choose an active CSM, manager or admin."))
    return value


def _email(value) -> str:
    text = _text(value, max_length=254)
    if text and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
        raise ValidationError(_("Enter a valid e-mail address."))
    return text


def _language(value) -> str:
    text = _text(value, required=True, max_length=16)
    if not LANGUAGE.match(text):
        raise ValidationError(_("Enter a language code such as en, ar, fa or zh-Hans."))
    return text


@dataclass(frozen=True)
class FieldSpec:
    """One editable field: how the page shows it and how a value is checked.

    `kind`: text | choice | user | account (typed as an external id) | persona. `clean(value)`
    returns the value to store or raises ValidationError (a message for this field)."""

    name: str
    label: Any
    kind: str
    clean: Callable[[Any], Any]
    choices: Callable[[], list[tuple[str, str]]] | None = None
    help: Any = ""
    attrs: dict = field(default_factory=dict)


def owner_choices() -> list[tuple[str, str]]:
    users = User.objects.filter(is_active=True, role__in=[Role.CSM, Role.MANAGER, Role.ADMIN])
    return [(str(u.pk), u.get_full_name() or u.username) for u in users]


def _persona_choices() -> list[tuple[str, str]]:
    return [(str(p.pk), p.name) for p in Persona.objects.all()]


ACCOUNT_FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        FieldSpec("name", gettext_lazy("Name"), "text", lambda v: _text(v, required=True, max_length=255)),
        FieldSpec("domain", gettext_lazy("Domain"), "text", _domain, help=gettext_lazy("e.g. example.com")),
        FieldSpec("owner", gettext_lazy("Owner"), "user", _owner, choices=owner_choices),
        FieldSpec("tier", gettext_lazy("Tier"), "choice", _choice(Tier), choices=lambda: list(Tier.choices)),
        FieldSpec("segment", gettext_lazy("Segment"), "text", lambda v: _text(v, max_length=64)),
        FieldSpec(
            "lifecycle_stage",
            gettext_lazy("Lifecycle stage"),
            "choice",
            _choice(LifecycleStage),
            choices=lambda: list(LifecycleStage.choices),
        ),
        FieldSpec(
            "parent",
            gettext_lazy("Parent"),
            "account",
            lambda v: v,  # checked in account_update (it needs the account: no cycles)
            help=gettext_lazy("The parent account's external id; empty for none."),
        ),
        FieldSpec("industry", gettext_lazy("Industry"), "text", lambda v: _text(v, max_length=120)),
    )
}

CONTACT_FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        FieldSpec("name", gettext_lazy("Name"), "text", lambda v: _text(v, max_length=255)),
        FieldSpec("email", gettext_lazy("E-mail"), "text", _email),
        FieldSpec("title", gettext_lazy("Title"), "text", lambda v: _text(v, max_length=255)),
        FieldSpec("persona", gettext_lazy("Persona"), "persona", lambda v: v, choices=_persona_choices),
        FieldSpec("language", gettext_lazy("Language"), "text", _language),
        FieldSpec("timezone", gettext_lazy("Time zone"), "text", lambda v: _text(v, max_length=64)),
    )
}


# Section: writes


def _parent_check(account: Account, parent: Account | None) -> None:
    """No account is its own ancestor: walk up from the new parent (one query per level, at most
    a few levels in practice; a stored cycle stops the walk)."""
    if parent is None:
        return
    if parent.pk == account.pk:
        raise ValidationError({"parent": _("An account cannot be its own parent.")})
    seen = {account.pk}
    current: Account | None = parent
    while current is not None:
        if current.pk in seen:
            raise ValidationError(
                {"parent": _("%(parent)s is below this account: that would be a cycle.") % {"parent": parent}}
            )
        seen.add(current.pk)
        current = (
            Account.objects.filter(pk=current.parent_id).only("pk", "parent_id").first() if current.parent_id else None
        )


def _clean(specs: dict[str, FieldSpec], values: dict[str, Any]) -> dict[str, Any]:
    cleaned, errors = {}, {}
    for name, value in values.items():
        spec = specs.get(name)
        if spec is None:
            errors[name] = _("This field cannot be edited here.")
            continue
        try:
            cleaned[name] = spec.clean(value)
        except ValidationError as exc:
            errors[name] = " ".join(exc.messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _write(instance, cleaned: dict[str, Any], *, author, source: str) -> dict[str, Any]:
    old = {}
    for name, value in cleaned.items():
        f = instance._meta.get_field(name)
        new_raw = value.pk if f.is_relation and value is not None else value
        if getattr(instance, f.attname) != new_raw:
            old[name] = getattr(instance, f.attname)
            setattr(instance, name, value)
    if old:
        instance.save(update_fields=[*sorted(old), "updated_at"])
        changes_log(objects=[instance], before={instance.pk: old}, author=author, source=source)
    return old


@transaction.atomic
def account_update(*, account: Account, values: dict[str, Any], author=None, source: str = "page") -> dict:
    """Write the changed `values` (field name → value; FKs as instances) of `account` and log
    them as one timeline entry. Returns {field: old raw value} of what changed ({} when nothing
    did). ValidationError({field: message}) for a bad value: nothing is written."""
    cleaned = _clean(ACCOUNT_FIELDS, values)
    if "parent" in cleaned:
        _parent_check(account, cleaned["parent"])
    return _write(account, cleaned, author=author, source=source)


@transaction.atomic
def contact_update(*, contact: Contact, values: dict[str, Any], author=None, source: str = "page") -> dict:
    """The same for a contact (the entry goes on its account's timeline, naming the contact)."""
    return _write(contact, _clean(CONTACT_FIELDS, values), author=author, source=source)


# Section: the rows a page shows


@dataclass
class FieldRow:
    spec: FieldSpec
    value: Any  # what the row shows
    initial: str  # what the input starts with

    @property
    def name(self) -> str:
        return self.spec.name


def field_row(instance, spec: FieldSpec) -> FieldRow:
    value = getattr(instance, spec.name)
    if spec.kind == "choice":
        shown = getattr(instance, f"get_{spec.name}_display")()
        initial = value
    elif spec.kind in ("user", "persona"):
        shown = (value.get_full_name() or value.username) if isinstance(value, User) else (value or "")
        initial = str(value.pk) if value is not None else ""
    elif spec.kind == "account":
        shown = value or ""
        initial = value.external_id if value is not None else ""
    else:
        shown = initial = value or ""
    return FieldRow(spec=spec, value=shown, initial=initial)


def account_field_rows(account: Account, names: list[str] | None = None) -> list[FieldRow]:
    return [field_row(account, ACCOUNT_FIELDS[n]) for n in (names or ACCOUNT_FIELDS)]


def contact_field_rows(contact: Contact, names: list[str] | None = None) -> list[FieldRow]:
    return [field_row(contact, CONTACT_FIELDS[n]) for n in (names or CONTACT_FIELDS)]
