"""The playbooks app's database-specific fast paths (STYLE.md §9): one small function each, the
portable implementation and the PostgreSQL one side by side. Domain modules call the function;
only this module (and core/db.py) asks which database it is on."""

from __future__ import annotations

import json

from django.db import connection

from core.db import is_postgresql

from .models import Enrolment

__all__ = ["enrolment_outcomes_store"]


def enrolment_outcomes_store(enrolments: list[Enrolment]) -> None:
    """Write each enrolment's `outcome`. On PostgreSQL one UPDATE ... FROM (VALUES ...): Django's
    bulk_update builds a CASE over every row, which is several times slower for JSON."""
    if is_postgresql():
        _outcomes_store_postgresql(enrolments)
    else:
        _outcomes_store_portable(enrolments)


def _outcomes_store_portable(enrolments: list[Enrolment]) -> None:
    Enrolment.objects.bulk_update(enrolments, ["outcome"])


def _outcomes_store_postgresql(enrolments: list[Enrolment]) -> None:
    table = Enrolment._meta.db_table
    values = ", ".join(["(%s, %s::jsonb)"] * len(enrolments))
    params: list = []
    for e in enrolments:
        params += [e.pk, json.dumps(e.outcome)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS e SET outcome = v.outcome FROM (VALUES {values}) AS v(id, outcome) WHERE e.id = v.id",
            params,
        )
