"""The custom fields panels (registered by AccountsConfig.ready()): on the account page each live
account custom field, on the person page each live contact custom field, with its typed value,
edited in place. No query: the definitions are cached and the values are on the record (the
person page's write check is cached on the account, asked once by the Details card)."""

from __future__ import annotations

from django.urls import reverse

from ..access import account_can_write
from .definitions import custom_field_definitions
from .values import custom_field_display

__all__ = [
    "contact_custom_fields_panel_context",
    "custom_field_row",
    "custom_field_rows",
    "custom_fields_panel_context",
]


def custom_field_row(record, definition, *, value=None) -> dict:
    """One row of a panel: the definition, the value (`value` overrides the stored one: the
    input shown again as typed), its display, the URL that edits it and the row's DOM id."""
    current = (record.custom_fields or {}).get(definition.key)
    if hasattr(record, "team_members"):  # an account
        url = reverse("accounts:account_custom_field", args=[record.pk, definition.key])
        dom_id = f"cf-{definition.key}"
    else:
        url = reverse("accounts:contact_custom_field", args=[record.account_id, record.pk, definition.key])
        dom_id = f"cf-contact-{record.pk}-{definition.key}"
    return {
        "definition": definition,
        "value": current if value is None else value,
        "display": custom_field_display(definition, current),
        "url": url,
        "dom_id": dom_id,
    }


def custom_field_rows(record, *, entity: str = "account") -> list[dict]:
    return [custom_field_row(record, d) for d in custom_field_definitions(entity=entity)]


def custom_fields_panel_context(request, account) -> dict | None:
    rows = custom_field_rows(account)
    if not rows:
        return None
    return {"account": account, "rows": rows, "can_edit": request.user.can_work_accounts}


def contact_custom_fields_panel_context(request, contact) -> dict | None:
    if not contact.account_id:
        return None
    rows = custom_field_rows(contact, entity="contact")
    if not rows:
        return None
    return {"account": contact.account, "rows": rows, "can_edit": account_can_write(request.user, contact.account)}
