"""surveys.sql, the app's database seam: the same answer statement on both databases, with the
PostgreSQL cursor that prepares it once per connection."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.db import is_postgresql
from surveys import sql

pytestmark = pytest.mark.django_db


def test_json_placeholder_casts_to_jsonb_only_on_postgresql():
    # when
    placeholder = sql.json_placeholder()
    # then
    assert placeholder == ("%s::jsonb" if is_postgresql() else "%s")


def test_answer_cursor_runs_a_statement_on_either_database():
    # when
    with sql.answer_cursor() as cursor:
        cursor.execute("SELECT %s + %s", [1, 2])
        row = cursor.fetchone()
    # then
    assert row[0] == 3


def test_answer_cursor_is_the_usual_one_while_queries_are_logged():
    """Query logs (DEBUG, CaptureQueriesContext) show the SQL with its values: the prepared
    cursor is left out then, so the pinned query counts see the answer's statement."""
    with CaptureQueriesContext(connection) as queries:
        with sql.answer_cursor() as cursor:
            cursor.execute("SELECT 1")
    assert len(queries) == 1


@pytest.mark.skipif(not is_postgresql(), reason="the prepared cursor is PostgreSQL's")
def test_answer_cursor_prepares_server_side_on_postgresql():
    from django.db.backends.postgresql.base import ServerBindingCursor

    # when
    with sql.answer_cursor() as cursor:
        cursor.execute("SELECT %s::int", [7])
        value = cursor.fetchone()[0]
        raw = cursor.cursor
    # then
    assert value == 7
    assert isinstance(raw, ServerBindingCursor)
    assert connection.connection.prepare_threshold is not None
