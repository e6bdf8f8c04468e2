"""External-id (and id) lookups over any number of values, for ingest and tracking.

PostgreSQL: one query, the list travelling as one string that SQL splits (adapting 10,000
Python values one by one costs more than the query; a join on
unnest(string_to_array(constant)) is estimated at its true size, so the planner hashes a
small table instead of probing its index thousands of times). Portable: `IN (...)` in
chunks of 900 (core.db.chunked), below SQLite's bound-parameter limit."""

import orjson
from django.db import connection

from core.db import chunked, is_postgresql

__all__ = ["LIST_SEPARATOR", "external_id_rows", "ids_by"]

LIST_SEPARATOR = "\x1f"  # the unit separator, between the values of a list sent as one string


def ids_by(model, column: str, values: list) -> dict:
    """{value: id} for the rows of `model` whose `column` is one of `values`."""
    if not values:
        return {}
    if is_postgresql():
        return _ids_by_postgresql(model, column, values)
    return _ids_by_portable(model, column, values)


def _ids_by_postgresql(model, column: str, values: list) -> dict:
    if column == "id":
        param, split = ",".join(str(int(v)) for v in values), "string_to_array(%s, ',')::bigint[]"
    else:
        param = LIST_SEPARATOR.join(values)
        split = "string_to_array(%s, E'\\x1f')"
        if param.count(LIST_SEPARATOR) != len(values) - 1:  # a value holds the separator
            param, split = orjson.dumps(values).decode(), "ARRAY(SELECT jsonb_array_elements_text(%s::jsonb))"
    with connection.cursor() as cursor:
        table = model._meta.db_table
        cursor.execute(
            f"SELECT t.{column}, t.id FROM unnest({split}) AS x(v) JOIN {table} t ON t.{column} = x.v", [param]
        )
        return dict(cursor.fetchall())


def _ids_by_portable(model, column: str, values: list) -> dict:
    found = {}
    for chunk in chunked(values):
        found.update(model.objects.filter(**{f"{column}__in": chunk}).values_list(column, "id"))
    return found


def external_id_rows(model, values: list[str], *columns: str) -> list[tuple]:
    """(external_id, *columns) of the rows of `model` whose external id is in `values`."""
    if not values:
        return []
    param = LIST_SEPARATOR.join(values)
    if is_postgresql() and param.count(LIST_SEPARATOR) == len(values) - 1:
        return _external_id_rows_postgresql(model, param, columns)
    return _external_id_rows_portable(model, values, columns)


def _external_id_rows_postgresql(model, param: str, columns: tuple[str, ...]) -> list[tuple]:
    selected = ", ".join(f"t.{column}" for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.external_id, {selected} FROM unnest(string_to_array(%s, E'\\x1f')) AS x(v) "
            f"JOIN {model._meta.db_table} t ON t.external_id = x.v",
            [param],
        )
        return cursor.fetchall()


def _external_id_rows_portable(model, values: list[str], columns: tuple[str, ...]) -> list[tuple]:
    found = []
    for chunk in chunked(values):
        found += model.objects.filter(external_id__in=chunk).values_list("external_id", *columns)
    return found
