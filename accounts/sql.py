"""The accounts app's database-specific code (STYLE.md §9): only this module (and core/db.py)
asks which database it is on.

Custom field indexes: on PostgreSQL each filterable custom field gets an expression index on
the very expression the portfolio's filters and sorts compile to (`custom_fields -> 'key'`, or
`custom_fields #> '{key,amount}'` for money; a GIN index for multi-choice containment), so a
saved view over 100k accounts reads an index instead of every row's JSON. SQLite has no such
need at the embedded sizes: the portable implementation does nothing.

`CREATE INDEX CONCURRENTLY` cannot run inside a transaction: the definition service schedules
the index after commit (accounts.custom_fields.services), and this seam builds it concurrently
when no transaction is open, plainly otherwise (tests, a caller's own atomic block).
docs/decisions.md, "Custom field indexes".
"""

from __future__ import annotations

import json

from django.db import connection
from django.db.models import Q

from core.db import is_postgresql

from .custom_fields.models import CustomFieldDefinition, CustomFieldType
from .models import Account, Contact

__all__ = ["custom_field_index_drop", "custom_field_index_ensure", "custom_field_index_exists", "json_array_has_q"]


def json_array_has_q(path: str, value: str) -> Q:
    """Rows whose JSON list at `path` (a lookup path such as "custom_fields__modules") holds
    `value`: jsonb containment on PostgreSQL (the field's GIN index serves it); SQLite has no
    JSON containment, so the list's text is searched for the quoted element (values are the
    definition's choices, whose case-folded forms are unique, written back canonical)."""
    if is_postgresql():
        return Q(**{f"{path}__contains": [value]})
    return Q(**{f"{path}__icontains": json.dumps(value)})


def _table(definition: CustomFieldDefinition) -> str:
    model = Account if definition.entity == "account" else Contact
    return connection.ops.quote_name(model._meta.db_table)


def _expression(definition: CustomFieldDefinition) -> tuple[str, str]:
    """(index method, indexed expression) for the definition's type. The key is a slug (checked
    by the definition service), quoted as a literal all the same."""
    key = definition.key.replace("'", "''")
    if definition.field_type == CustomFieldType.MULTI_CHOICE:
        return "gin", f"(\"custom_fields\" -> '{key}')"
    # Numbers sort highest first in the portfolio (custom_field_order): the index keeps that order
    # (DESC NULLS LAST) so the first page is read from it; range filters use it either way.
    if definition.field_type == CustomFieldType.MONEY:
        return "btree", f"(\"custom_fields\" #> '{{{key},amount}}') DESC NULLS LAST"
    if definition.field_type == CustomFieldType.NUMBER:
        return "btree", f"(\"custom_fields\" -> '{key}') DESC NULLS LAST"
    return "btree", f"(\"custom_fields\" -> '{key}')"


def custom_field_index_exists(definition: CustomFieldDefinition) -> bool:
    """True when the field's index exists and is valid (always False off PostgreSQL)."""
    if not is_postgresql():
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indisvalid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid WHERE c.relname = %s",
            [definition.index_name],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def custom_field_index_ensure(definition: CustomFieldDefinition) -> bool:
    """Create the field's expression index if it is missing (or left invalid by an interrupted
    concurrent build). Returns True when it built one."""
    if not is_postgresql() or custom_field_index_exists(definition):
        return False
    concurrently = "" if connection.in_atomic_block else " CONCURRENTLY"
    method, expression = _expression(definition)
    name = connection.ops.quote_name(definition.index_name)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX{concurrently} IF EXISTS {name}")  # an invalid leftover
        cursor.execute(f"CREATE INDEX{concurrently} {name} ON {_table(definition)} USING {method} ({expression})")
        # An expression index has no statistics until the table is analysed: without them the
        # planner guesses a third of the rows match and scans the table instead.
        cursor.execute(f"ANALYZE {_table(definition)}")
    return True


def custom_field_index_drop(definition: CustomFieldDefinition) -> None:
    if not is_postgresql():
        return
    concurrently = "" if connection.in_atomic_block else " CONCURRENTLY"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX{concurrently} IF EXISTS {connection.ops.quote_name(definition.index_name)}")
