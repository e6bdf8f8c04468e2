"""demo.sql: the seed's database seam. The writer thread (CopyStream on core.db.Pipeline) stores
what it is given on the seed's own connection and hands a failed COPY back to the seed; the
other seams answer "nothing to do" off PostgreSQL."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from accounts.models import Persona
from demo.sql import BulkWriter, CopyStream, customer_tables_empty, hms_of_day, ids_reserve
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="COPY is PostgreSQL's")


def test_hms_of_day_names_every_second():
    hms = hms_of_day()
    assert len(hms) == 86_400 and hms[0] == "00:00:00" and hms[3_723] == "01:02:03" and hms[-1] == "23:59:59"


def test_timestamps_are_written_as_the_database_reads_them():
    # given
    writer = BulkWriter()
    at = datetime(2024, 2, 29, 23, 59, 58, 999_999, tzinfo=UTC)

    # when / then: whole seconds, UTC; PostgreSQL's text carries the offset
    suffix = "+00" if connection.vendor == "postgresql" else ""
    assert writer.ts(at) == f"2024-02-29 23:59:58{suffix}"
    assert writer.ts(None) == writer.null


@postgresql_only
def test_copy_stream_writes_on_the_seeds_connection_inside_its_transaction():
    # given
    table = Persona._meta.db_table
    stream = CopyStream(depth=2)

    # when
    for name in ("Alpha", "Beta", "Gamma"):
        stream.put(f"COPY {table} (name, description, created_at) FROM STDIN", [f"{name}\tdemo\tnow\n".encode()])
    stream.close()

    # then: the rows are there for the test's own transaction, and the wait is measured
    assert set(Persona.objects.filter(description="demo").values_list("name", flat=True)) == {"Alpha", "Beta", "Gamma"}
    assert stream.waited >= 0.0


@postgresql_only
def test_a_failed_copy_is_raised_to_the_seed():
    # given
    stream = CopyStream()

    # when: a COPY into a table that does not exist
    stream.put("COPY no_such_table_for_the_demo (x) FROM STDIN", [b"1\n"])

    # then
    with pytest.raises(Exception, match="no_such_table_for_the_demo"):
        stream.close()
    assert stream.error is not None


@pytest.mark.skipif("connection.vendor == 'postgresql'", reason="the portable side")
def test_off_postgresql_the_seams_leave_the_work_to_the_orm():
    AccountFactory()
    assert customer_tables_empty([Persona]) is False
    assert ids_reserve(Persona, 3) is None
