"""CSV import, row by row: what people write in spreadsheets, turned into what the API takes,
and errors a person understands (used by accounts.imports).

- Choice columns (tier, lifecycle stage) take the code or the label in any case, with spaces,
  dashes or underscores: "Key", "tech touch", "At-risk", "at_risk".
- The owner column takes a team member's username, e-mail or full name; a name two people
  share is an error that names both.
- Each error is {"row", "field", "column", "value", "reason"}: the file's line, the field, the
  CSV column it came from, the cell as typed and a plain sentence, e.g. row 7, column "Tier",
  "'Platinum' is not one of Strategic, Key, Standard, Tech-touch".
- `rejected_rows` gives the rows that were not imported, as in the file, with an "error"
  column, for the download on the report.
"""

from __future__ import annotations

import re
from collections import defaultdict

from django.utils.translation import gettext as _

from core.models import User

from .models import Account

__all__ = [
    "duplicate_errors",
    "error_make",
    "items_normalise",
    "parent_errors",
    "reason_plain",
    "rejected_rows",
]

_SEPARATORS = re.compile(r"[\s_\-]+")


def _key(text: str) -> str:
    return _SEPARATORS.sub(" ", str(text)).strip().casefold()


def error_make(*, row, field: str, reason: str, mapping: dict, item: dict | None = None) -> dict:
    value = (item or {}).get("_raw", {}).get(field, (item or {}).get(field, ""))
    return {
        "row": row,
        "field": field,
        "column": mapping.get(field, field),
        "value": value if isinstance(value, str) else "",
        "reason": reason,
    }


# Section: choices and owners


def _choice_maps(model, fields: list[str]) -> dict[str, tuple[dict[str, str], list[str]]]:
    """{field: ({normalised code or label: code}, [labels])} for the model's choice fields."""
    maps = {}
    for name in fields:
        field = model._meta.get_field(name)
        if not field.choices:
            continue
        lookup: dict[str, str] = {}
        for code, label in field.choices:
            lookup[_key(code)] = code
            lookup[_key(label)] = code
        maps[name] = (lookup, [str(label) for _code, label in field.choices])
    return maps


def _user_label(user: User) -> str:
    detail = user.email or user.get_full_name()
    return f"{user.username} ({detail})" if detail else user.username


def _owners_lookup(values: set[str]) -> dict[str, tuple[str | None, str]]:
    """{cell: (username or None, reason when None)} for each owner cell."""
    if not values:
        return {}
    by_username, by_email, by_name = {}, defaultdict(list), defaultdict(list)
    for user in User.objects.filter(is_active=True).only("username", "email", "first_name", "last_name"):
        by_username[user.username.casefold()] = user
        if user.email:
            by_email[user.email.casefold()].append(user)
        full = _key(user.get_full_name())
        if full:
            by_name[full].append(user)
    out = {}
    for value in values:
        user = by_username.get(value.casefold())
        candidates = [user] if user else by_email.get(value.casefold()) or by_name.get(_key(value)) or []
        if len(candidates) == 1:
            out[value] = (candidates[0].username, "")
        elif candidates:
            names = ", ".join(sorted(_user_label(u) for u in candidates))
            out[value] = (
                None,
                _("'%(value)s' matches %(count)d team members: %(names)s. Write the username or e-mail instead.")
                % {"value": value, "count": len(candidates), "names": names},
            )
        else:
            out[value] = (
                None,
                _("No active team member has the username, e-mail or name '%(value)s'.") % {"value": value},
            )
    return out


def items_normalise(*, model, fields: list[str], items: list[dict], mapping: dict) -> list[dict]:
    """Turn labels into codes and owners into usernames, in place; return the errors (with
    `index`). A field in error is removed from its item so that it is reported once."""
    errors = []
    choices = _choice_maps(model, fields)
    owners = _owners_lookup({i["owner"] for i in items if isinstance(i.get("owner"), str)}) if "owner" in fields else {}
    for index, item in enumerate(items):
        raw = item.setdefault("_raw", {})
        for name, (lookup, labels) in choices.items():
            if name not in item:
                continue
            raw[name] = item[name]
            code = lookup.get(_key(item[name]))
            if code is None:
                reason = _("'%(value)s' is not one of %(choices)s.") % {
                    "value": item[name],
                    "choices": ", ".join(labels),
                }
                errors.append(
                    {"index": index, **error_make(row=None, field=name, reason=reason, mapping=mapping, item=item)}
                )
                del item[name]
            else:
                item[name] = code
        if "owner" in item:
            raw["owner"] = item["owner"]
            username, reason = owners[item["owner"]]
            if username is None:
                errors.append(
                    {"index": index, **error_make(row=None, field="owner", reason=reason, mapping=mapping, item=item)}
                )
                del item["owner"]
            else:
                item["owner"] = username
    return errors


# Section: plain reasons

_DATE_HINT = re.compile(r"^(Date|Datetime) has wrong format")


def reason_plain(*, field: str, reason: str, value: str) -> str:
    """The API's validation message, said for someone looking at a spreadsheet."""
    shown = f"'{value}'" if value else _("The cell")
    if reason == "This field is required." or reason.startswith("This field may not be"):
        return _("The cell is empty; every row needs a value here.")
    if reason in ("A valid number is required.", "A valid integer is required."):
        return _("%(value)s is not a number (write it like 1200.50, without currency signs).") % {"value": shown}
    if _DATE_HINT.match(reason):
        if reason.startswith("Datetime"):
            return _("%(value)s is not a date and time; write it like 2024-07-01 or 2024-07-01T09:30:00Z.") % {
                "value": shown
            }
        return _("%(value)s is not a date; write it like 2024-07-01 (year-month-day).") % {"value": shown}
    if reason == "Must be a valid boolean.":
        return _("%(value)s is not yes or no (write true/false, yes/no or 1/0).") % {"value": shown}
    if reason == "Enter a valid email address.":
        return _("%(value)s is not an e-mail address.") % {"value": shown}
    if reason.startswith("Object with external_id=") and reason.endswith("does not exist."):
        return _("No account has the id %(value)s: import the accounts first, or check the id.") % {"value": shown}
    if value and value not in reason:
        return f"{shown}: {reason}"
    return reason


# Section: rows that refer to other rows


def duplicate_errors(items: list[dict], mapping: dict) -> list[dict]:
    first: dict[str, int] = {}
    errors = []
    for index, item in enumerate(items):
        value = item.get("external_id")
        if not value:
            continue
        if value in first:
            reason = _("Row %(row)s has the same id '%(value)s'; each id may appear once in a file.") % {
                "row": items[first[value]]["_line"],
                "value": value,
            }
            errors.append(
                {"index": index, **error_make(row=None, field="external_id", reason=reason, mapping=mapping, item=item)}
            )
        first.setdefault(value, index)
    return errors


def parent_errors(items: list[dict], known_parents: set[str], mapping: dict, bad: set[int] | None) -> list[dict]:
    """Unknown parents; with `bad` (partial mode), also children whose parent is only on a row
    that will be skipped, and their children in turn."""
    errors = []
    for index, item in enumerate(items):
        parent = item.get("parent")
        if parent and parent not in known_parents:
            reason = _("No account has the id '%(value)s' (in this file or already imported).") % {"value": parent}
            errors.append(
                {"index": index, **error_make(row=None, field="parent", reason=reason, mapping=mapping, item=item)}
            )
    if bad is None:
        return errors
    bad = bad | {e["index"] for e in errors}
    row_of = {item.get("external_id"): item["_line"] for item in items if item.get("external_id")}
    skipped_ids = {items[i].get("external_id") for i in bad}
    in_db = set(
        Account.objects.filter(
            external_id__in=[i.get("parent") for i in items if i.get("parent") in skipped_ids]
        ).values_list("external_id", flat=True)
    )
    changed = True
    while changed:
        changed = False
        for index, item in enumerate(items):
            parent = item.get("parent")
            if index in bad or not parent or parent in in_db or parent not in skipped_ids:
                continue
            reason = _("Its parent '%(value)s' is on row %(row)s, which is not imported.") % {
                "value": parent,
                "row": row_of.get(parent, "?"),
            }
            errors.append(
                {"index": index, **error_make(row=None, field="parent", reason=reason, mapping=mapping, item=item)}
            )
            bad.add(index)
            skipped_ids.add(item.get("external_id"))
            changed = True
    return errors


# Section: rejected rows


def rejected_rows(*, header: list[str], rows: list[list[str]], errors: list[dict]) -> tuple[list[str], list[list]]:
    """The rows not imported, as they were in the file, with an "error" column (the download)."""
    by_row: dict[int, list[str]] = defaultdict(list)
    for error in errors:
        if error.get("row"):
            by_row[error["row"]].append(f"{error.get('column') or error.get('field')}: {error['reason']}")
    out = []
    for line in sorted(by_row):
        position = line - 2
        if 0 <= position < len(rows):
            cells = list(rows[position]) + [""] * (len(header) - len(rows[position]))
            out.append([*cells[: len(header)], "; ".join(by_row[line])])
    return [*header, "error"], out


# Section: the importer's book (accounts.access)


def book_errors(*, model, items: list[dict], mapping: dict, user) -> list[dict]:
    """Rows that would change an existing account outside the importer's book (an account row
    by its external id, a contact or subscription row by its account): one error each, "not in
    your book". New accounts are fine; admins and importers without a user (API keys, commands)
    write every account."""
    from core.db import chunked, lookup_by

    from .access import account_writes_all, accounts_writable
    from .models import Account

    if user is None or account_writes_all(user):
        return []
    field = "external_id" if model is Account else "account"
    values = {item.get(field) for item in items if isinstance(item.get(field), str) and item.get(field)}
    existing = lookup_by(Account.objects.all(), "external_id", values)
    allowed: set[int] = set()
    for part in chunked([a.pk for a in existing.values()]):
        allowed |= set(accounts_writable(user, Account.objects.filter(pk__in=list(part))).values_list("pk", flat=True))
    errors = []
    for index, item in enumerate(items):
        account = existing.get(item.get(field))
        if account is not None and account.pk not in allowed:
            reason = _("%(account)s is not in your book.") % {"account": account}
            errors.append(
                {"index": index, **error_make(row=None, field=field, reason=reason, mapping=mapping, item=item)}
            )
    return errors
