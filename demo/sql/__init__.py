"""The demo's database seam and bulk loader: everything that depends on the backend.

PostgreSQL COPY (text, or binary tuples built by NumPy) through a writer thread, ids given by
the seed itself, keys and indexes dropped for a fresh load; SQLite `executemany` and the ORM
elsewhere. Domain steps (demo.accounts, demo.surveys, demo.onboarding) call these functions
and never ask which database they are on.
"""

from .ids import IdBlock
from .load import BUILD_MEMORY, bulk_load
from .records import DAILY_CONTACT_TUPLE, PG_EPOCH, EventRecords, UsageRecords
from .stream import CopyStream
from .tables import COPY_CHUNK, customer_tables_empty, event_partitions_ensure, events_analyze, ids_reserve, rows_insert
from .writer import BulkWriter, hms_of_day

__all__ = [
    "BUILD_MEMORY",
    "COPY_CHUNK",
    "DAILY_CONTACT_TUPLE",
    "PG_EPOCH",
    "BulkWriter",
    "CopyStream",
    "EventRecords",
    "IdBlock",
    "UsageRecords",
    "bulk_load",
    "hms_of_day",
    "customer_tables_empty",
    "event_partitions_ensure",
    "events_analyze",
    "ids_reserve",
    "rows_insert",
]
