"""The account page's custom fields panel (registered by AccountsConfig.ready()): each live
account custom field with its typed value, edited in place. No query: the definitions are
cached and the values are on the account."""

from __future__ import annotations

from .definitions import custom_field_definitions
from .values import custom_field_display

__all__ = ["custom_field_rows", "custom_fields_panel_context"]


def custom_field_rows(account) -> list[dict]:
    values = account.custom_fields or {}
    return [
        {"definition": d, "value": values.get(d.key), "display": custom_field_display(d, values.get(d.key))}
        for d in custom_field_definitions(entity="account")
    ]


def custom_fields_panel_context(request, account) -> dict | None:
    rows = custom_field_rows(account)
    if not rows:
        return None
    return {"account": account, "rows": rows, "can_edit": request.user.can_work_accounts}
