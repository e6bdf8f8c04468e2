"""Computing and storing one day's snapshots for many accounts, chunk by chunk, the chunks
overlapped in a read / score / write pipeline on PostgreSQL."""

from collections.abc import Sequence
from datetime import date

from accounts.models import Account
from core.db import Pipeline

from .. import sql
from ..measures_activity import population_forget
from ..scoring import Plan
from . import inputs
from .inputs import account_chunks, chunk_inputs
from .plans import plans_or_default
from .rows import score_rows

__all__ = ["health_scores_compute"]


def _pipelined(account_ids: Sequence[int] | None) -> bool:
    """Read the next chunk on a second connection while this one scores and writes? Where
    the database allows it (health.sql.read_ahead_possible), for more than one chunk."""
    if not sql.read_ahead_possible():
        return False
    if account_ids is not None:
        return len(account_ids) > inputs.CHUNK_SIZE
    return Account.objects.filter(id__gt=0).order_by("id")[inputs.CHUNK_SIZE : inputs.CHUNK_SIZE + 1].exists()


def health_scores_compute(
    *, as_of: date, account_ids: Sequence[int] | None = None, plans: list[Plan] | None = None
) -> list[int]:
    """Compute and store the snapshots of `as_of` for these accounts (all, in chunks, when
    None). Returns the ids that got a snapshot.

    Each chunk is read (measures, overrides: database work), scored (Python) and written
    (COPY). With several chunks on PostgreSQL this is a pipeline of three threads, each
    database side on its own connection (core.db.Pipeline, own_connection): one reads chunk
    k+1, this one scores chunk k, one writes chunk k-1, so PostgreSQL's work and Python's
    overlap on two cores. At most one read and one write are in flight (memory stays a few
    chunks); the snapshots are the same as one chunk after the other."""
    plans = plans_or_default(plans)
    if account_ids is None:
        # Every account: rank against the day's population as it is now, not a cached one.
        population_forget(as_of)
    scored: list[int] = []

    def load(chunks):
        item = next(chunks, None)
        if item is None:
            return None
        chunk, ids = item
        return chunk, ids, chunk_inputs(as_of=as_of, account_ids=ids, plans=plans)

    def score(item) -> list[dict]:
        chunk, ids, chunk_in = item
        rows = score_rows(as_of=as_of, accounts=chunk, plans=plans, account_ids=ids, inputs=chunk_in)
        scored.extend(r["account_id"] for r in rows)
        return rows

    chunks = account_chunks(account_ids)
    if not _pipelined(account_ids):
        while (item := load(chunks)) is not None:
            sql.snapshots_upsert(score(item))
        return scored
    # Each worker closes its own connection when the pipeline closes (after pending work).
    with (
        Pipeline("health-read", own_connection=True) as reader,
        Pipeline("health-write", own_connection=True) as writer,
    ):
        written = None
        pending = reader.submit(load, chunks)
        while (item := pending.result()) is not None:
            pending = reader.submit(load, chunks)
            rows = score(item)
            if written is not None:
                written.result()
            written = writer.submit(sql.snapshots_upsert, rows)
        if written is not None:
            written.result()
    return scored
