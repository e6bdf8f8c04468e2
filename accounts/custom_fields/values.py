"""One service validates and normalises custom field values, whatever wrote them (API, CSV
import, the account page): `custom_field_values_clean`.

Stored forms (JSON): text "…"; number 12 or 12.5; money {"amount": 1200.5, "currency": "EUR"};
date "2024-07-01"; boolean true/false; choice "Gold"; multi-choice ["A", "B"] (in the order of
the choices); user "username". Inputs may also be what a spreadsheet holds: "1,200.50",
"EUR 1200.50", "yes", "A; B", a team member's e-mail. A value of None or "" removes the key.
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .definitions import custom_field_definitions
from .models import CustomFieldDefinition, CustomFieldType

__all__ = ["custom_field_display", "custom_field_value_clean", "custom_field_values_clean", "custom_fields_merge"]

TEXT_MAX = 1000
_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_MONEY_TEXT = re.compile(r"^\s*([A-Za-z]{3})?\s*([-+]?[\d,]*\.?\d+)\s*([A-Za-z]{3})?\s*$")


def _number(value) -> int | float:
    if isinstance(value, bool):
        raise ValueError(_("must be a number"))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(_("must be a finite number"))
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, str):
        try:
            parsed = Decimal(value.strip().replace(",", ""))
        except InvalidOperation:
            raise ValueError(_("must be a number")) from None
        if not parsed.is_finite():
            raise ValueError(_("must be a finite number"))
        return int(parsed) if parsed == parsed.to_integral_value() else float(parsed)
    if isinstance(value, Decimal):
        return _number(str(value))
    raise ValueError(_("must be a number"))


def _money(value, default_currency: str) -> dict:
    if isinstance(value, dict):
        unknown = set(value) - {"amount", "currency"}
        if unknown:
            raise ValueError(_("money takes only amount and currency"))
        if "amount" not in value:
            raise ValueError(_("money needs an amount"))
        amount = _number(value["amount"])
        currency = value.get("currency") or default_currency
    elif isinstance(value, str):
        match = _MONEY_TEXT.match(value)
        if not match or (match.group(1) and match.group(3)):
            raise ValueError(_("must be an amount, optionally with a currency code (1200.50 EUR)"))
        amount = _number(match.group(2))
        currency = (match.group(1) or match.group(3) or default_currency).upper()
    else:
        amount = _number(value)
        currency = default_currency
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        raise ValueError(_("the currency must be a three-letter code such as USD"))
    return {"amount": amount, "currency": currency}


def _date(value) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10] if "T" in value else value.strip()).isoformat()
        except ValueError:
            pass
    raise ValueError(_("must be a date written like 2024-07-01"))


def _boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ValueError(_("must be yes or no (true / false)"))


def _choice(value, choices: list[str]) -> str:
    if not isinstance(value, str):
        raise ValueError(_("must be one of: %(choices)s") % {"choices": ", ".join(choices)})
    lookup = {c.casefold(): c for c in choices}
    found = lookup.get(value.strip().casefold())
    if found is None:
        raise ValueError(_("'%(value)s' is not one of: %(choices)s") % {"value": value, "choices": ", ".join(choices)})
    return found


def _multi_choice(value, choices: list[str]) -> list[str]:
    if isinstance(value, str):
        value = [part for part in re.split(r"[;,|]", value) if part.strip()]
    if not isinstance(value, list):
        raise ValueError(_("must be a list of choices"))
    picked = {_choice(item, choices) for item in value}
    return [c for c in choices if c in picked]


def _users() -> dict[str, str]:
    """{username or e-mail, casefolded: username} of the active team (cached a minute)."""
    users = cache.get("accounts:custom_fields:users")
    if users is None:
        from core.models import User

        users = {}
        for username, email in User.objects.filter(is_active=True).values_list("username", "email"):
            users[username.casefold()] = username
            if email:
                users.setdefault(email.casefold(), username)
        cache.set("accounts:custom_fields:users", users, 60)
    return users


def _user(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(_("must be a team member's username"))
    username = _users().get(value.strip().casefold())
    if username is None:
        raise ValueError(_("no active team member has the username or e-mail '%(value)s'") % {"value": value})
    return username


def custom_field_value_clean(definition: CustomFieldDefinition, value, *, default_currency: str = "USD"):
    """One value in its stored form; raises ValueError with the reason. None means "no value"."""
    if value is None or (isinstance(value, str) and not value.strip()) or value == []:
        return None
    kind = definition.field_type
    if kind == CustomFieldType.TEXT:
        if not isinstance(value, str):
            raise ValueError(_("must be text"))
        if len(value) > TEXT_MAX:
            raise ValueError(_("must be at most %(max)d characters") % {"max": TEXT_MAX})
        return value.strip()
    if kind == CustomFieldType.NUMBER:
        return _number(value)
    if kind == CustomFieldType.MONEY:
        return _money(value, default_currency)
    if kind == CustomFieldType.DATE:
        return _date(value)
    if kind == CustomFieldType.BOOLEAN:
        return _boolean(value)
    if kind == CustomFieldType.CHOICE:
        return _choice(value, definition.choices)
    if kind == CustomFieldType.MULTI_CHOICE:
        return _multi_choice(value, definition.choices) or None
    if kind == CustomFieldType.USER:
        return _user(value)
    raise ValueError(_("unknown field type"))


def custom_field_values_clean(
    *,
    entity: str,
    values,
    existing: dict | None = None,
    creating: bool = False,
    default_currency: str = "USD",
) -> dict:
    """Validate and normalise `values` ({key: value}) for an account or contact.

    Returns {key: stored value or None (= remove)}. Raises ValidationError({key: [reason]})
    for every bad key: unknown or archived keys, values of the wrong type, a required field
    left empty (when `creating`, or set to nothing on an existing record)."""
    if not isinstance(values, dict):
        raise ValidationError(_("must be an object of custom field values by key"))
    definitions = {d.key: d for d in custom_field_definitions(entity=entity, include_archived=True)}
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}
    for key, value in values.items():
        definition = definitions.get(key)
        if definition is None:
            errors[key] = [_("unknown custom field (define it first)")]
            continue
        if definition.archived:
            errors[key] = [_("this custom field is archived")]
            continue
        try:
            cleaned[key] = custom_field_value_clean(definition, value, default_currency=default_currency)
        except ValueError as exc:
            errors[key] = [str(exc)]
            continue
        if cleaned[key] is None and definition.required:
            errors[key] = [_("is required")]
    if creating:
        current = existing or {}
        for key, definition in definitions.items():
            if definition.required and not definition.archived and key not in values and current.get(key) is None:
                errors[key] = [_("is required")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def custom_fields_merge(current: dict | None, cleaned: dict) -> dict:
    """The stored JSON after a write: the given keys set (None removes one), the others kept
    (keys no definition names, e.g. the billing's `stripe_payment_failed_at`, included)."""
    merged = dict(current or {})
    for key, value in cleaned.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def custom_field_display(definition: CustomFieldDefinition, value) -> str:
    """A stored value as a person reads it (the account page, exports)."""
    if value is None:
        return ""
    kind = definition.field_type
    if kind == CustomFieldType.MONEY and isinstance(value, dict):
        amount = value.get("amount")
        return f"{amount:,} {value.get('currency', '')}".strip() if isinstance(amount, int | float) else ""
    if kind == CustomFieldType.BOOLEAN:
        return _("Yes") if value else _("No")
    if kind == CustomFieldType.MULTI_CHOICE and isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if kind == CustomFieldType.NUMBER and isinstance(value, int | float):
        return f"{value:,}"
    return str(value)
