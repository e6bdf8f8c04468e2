"""What a batch of usage events is to every ingest path: the events table and its COPY
columns, the limits, and the result and error of one call."""

from dataclasses import dataclass, field
from datetime import timedelta

from ..models import UsageEvent

EVENTS_TABLE = UsageEvent._meta.db_table

COPY_COLUMNS = "account_id, contact_id, event, occurred_at, properties, message_id, message_key"

MAX_ERRORS_REPORTED = 1000

FUTURE_TOLERANCE = timedelta(days=1)


PG_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\0" + bytes(8)  # binary COPY: signature, flags, header extension

PG_COPY_TRAILER = b"\xff\xff"


@dataclass
class IngestResult:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    account_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"received": self.received, "stored": self.stored, "duplicates": self.duplicates}


class IngestError(Exception):
    """The batch was refused; `errors` lists each bad row: {"row", "field", "reason"}.
    `total` counts them all when the list was cut at MAX_ERRORS_REPORTED."""

    def __init__(self, errors: list[dict], total: int | None = None):
        self.errors = errors[:MAX_ERRORS_REPORTED]
        self.total = len(errors) if total is None else total
        super().__init__(f"{self.total} invalid row(s)")
