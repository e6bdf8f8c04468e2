"""reports.sql: the refresh's session settings (PostgreSQL) and their portable no-op."""

import pytest
from django.db import connection

from core.db import is_postgresql
from reports.sql import refresh_query_settings

pytestmark = pytest.mark.django_db


def _settings() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), current_setting('work_mem')")
        return cursor.fetchone()


def test_refresh_settings_are_set_inside_and_put_back_after():
    if not is_postgresql():
        with refresh_query_settings(work_mem="256MB"):
            pass  # SQLite: nothing to set, nothing to fail
        return
    # given
    before = _settings()
    # when
    with refresh_query_settings(work_mem="123MB"):
        inside = _settings()
    # then
    assert inside == ("off", "123MB")
    assert _settings() == before


def test_refresh_settings_are_put_back_after_an_error():
    if not is_postgresql():
        pytest.skip("PostgreSQL session settings")
    before = _settings()
    with pytest.raises(RuntimeError), refresh_query_settings(work_mem="77MB"):
        raise RuntimeError("refresh failed")
    assert _settings() == before
