"""The surveys app's database seam (STYLE.md §9): the answer's one statement
(`surveys.services.responses.response_upsert`) needs two things that differ by backend.

- `json_placeholder()`: the placeholder of the JSON `answers` value: cast to `jsonb` on
  PostgreSQL, plain text elsewhere (SQLite stores JSON as text).
- `answer_cursor()`: the cursor the statement runs on: on PostgreSQL a server-binding cursor
  that prepares the statement once per connection and shape; elsewhere Django's usual cursor.

Domain modules call these and never look at the vendor themselves.
"""

from typing import Any

from django.db import connection

from core.db import is_postgresql

__all__ = ["answer_cursor", "json_placeholder"]


def json_placeholder() -> str:
    """`%s::jsonb` on PostgreSQL, `%s` elsewhere."""
    return "%s::jsonb" if is_postgresql() else "%s"


_PreparedCursor: Any = None


def answer_cursor():
    """A cursor for the answer's statement. On PostgreSQL its parameters are bound server-side
    and the statement is prepared once per connection and shape (a handful: with or without
    comment, answers, edit window), so psycopg does not quote fifteen values into SQL text and
    PostgreSQL does not parse and plan the INSERT again for every answer. Django's wrapper is
    kept (error translation, execute wrappers). Elsewhere, and while queries are logged (DEBUG,
    CaptureQueriesContext: the log shows the SQL with its values), the usual cursor."""
    if not is_postgresql() or connection.queries_logged:
        return connection.cursor()
    return _postgresql_prepared_cursor()


def _postgresql_prepared_cursor():
    global _PreparedCursor
    if _PreparedCursor is None:
        from django.db.backends.postgresql.base import ServerBindingCursor

        class _PreparedCursor(ServerBindingCursor):
            def execute(self, query, params=None, *, prepare=True, binary=None):
                return super().execute(query, params, prepare=prepare, binary=binary)  # type: ignore[misc]

    connection.validate_thread_sharing()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django turns psycopg's automatic preparing off, which refuses prepare=True too. A
        # threshold nothing reaches allows the explicit one and changes nothing else (Django's
        # own cursors bind client-side and never prepare).
        raw.prepare_threshold = 2**31 - 1
    with connection.wrap_database_errors:
        return connection.make_cursor(_PreparedCursor(raw))
