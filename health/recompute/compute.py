"""Computing and storing one day's snapshots for many accounts, chunk by chunk, the chunks
overlapped in a read / score / write pipeline on PostgreSQL."""

from collections.abc import Callable, Sequence
from datetime import date

import numpy as np

from accounts.models import Account
from core.db import Pipeline

from .. import sql
from ..history.scoring import Block, score_days
from ..history.store import snapshots_days_store
from ..measures_activity import population_forget, population_prefetch, population_prefetch_end
from ..scoring import Plan
from . import inputs
from .inputs import ChunkInputs, account_chunks, chunk_inputs
from .plans import plans_or_default

__all__ = ["health_scores_compute", "score_blocks"]


def _pipelined(account_ids: Sequence[int] | None) -> bool:
    """Read the next chunk on a second connection while this one scores and writes? Where
    the database allows it (health.sql.read_ahead_possible), for more than one chunk."""
    if not sql.read_ahead_possible():
        return False
    if account_ids is not None:
        return len(account_ids) > inputs.CHUNK_SIZE
    return Account.objects.filter(id__gt=0).order_by("id")[inputs.CHUNK_SIZE : inputs.CHUNK_SIZE + 1].exists()


def score_blocks(
    *, as_of: date, accounts: Sequence[tuple[int, str, str]], plans: Sequence[Plan], inputs: ChunkInputs
) -> list[Block]:
    """A chunk's snapshots of one day scored as arrays (health.history.score_days with one
    day): the raw values as 1 x accounts arrays (NaN = no data), in the chunk's order. The
    same snapshots as score_rows (tests/health/recompute/test_compute.py), without
    per-account Python for each measure."""
    ids = [a[0] for a in accounts]
    nan = float("nan")
    raw = {}
    for key, values in inputs.raw.items():
        get = values.get
        column = np.array([nan if (v := get(a)) is None else v for a in ids], dtype=np.float64)
        raw[key] = column.reshape(1, len(ids))
    overrides = [{a: o.score for a, o in inputs.overrides.items()}]
    return score_days(days=[as_of], accounts=accounts, plans=plans, raw=raw, overrides=overrides)


def health_scores_compute(
    *,
    as_of: date,
    account_ids: Sequence[int] | None = None,
    plans: list[Plan] | None = None,
    chunk_done: Callable[[Sequence[int], list[int]], None] | None = None,
) -> list[int]:
    """Compute and store the snapshots of `as_of` for these accounts (all, in chunks, when
    None). Returns the ids that got a snapshot. `chunk_done(ids, scored)`, when given, runs
    after each chunk's snapshots are stored (on the writer's thread and connection when
    pipelined), with the chunk's ids and those of them that got a snapshot.

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

    def score(item) -> tuple[list[Block], Sequence[int], list[int]]:
        chunk, ids, chunk_in = item
        blocks = score_blocks(as_of=as_of, accounts=chunk, plans=plans, inputs=chunk_in)
        chunk_scored = sorted(a for b in blocks for a in b.account_ids)
        scored.extend(chunk_scored)
        return blocks, ids, chunk_scored

    def write(scored_chunk: tuple[list[Block], Sequence[int], list[int]]) -> None:
        blocks, ids, chunk_scored = scored_chunk
        snapshots_days_store(blocks, [as_of], ids)
        if chunk_done is not None:
            chunk_done(ids, chunk_scored)

    chunks = account_chunks(account_ids)
    if not _pipelined(account_ids):
        while (item := load(chunks)) is not None:
            write(score(item))
        return scored
    # Each worker closes its own connection when the pipeline closes (after pending work).
    with (
        Pipeline("health-read", own_connection=True) as reader,
        Pipeline("health-write", own_connection=True) as writer,
    ):
        if account_ids is None:
            # The writer is idle until the first chunk is scored: it computes the day's
            # population meanwhile (about a chunk's read), which the first chunk waits for.
            population_prefetch(as_of, {m.key for p in plans for m in p.measures}, writer.submit)
        try:
            _pipeline_run(reader, writer, load, score, write, chunks)
        finally:
            population_prefetch_end()
    return scored


def _pipeline_run(reader: Pipeline, writer: Pipeline, load, score, write, chunks) -> None:
    """health_scores_compute's overlapped loop: read k+1, score k, write k-1."""
    written = None
    pending = reader.submit(load, chunks)
    while (item := pending.result()) is not None:
        pending = reader.submit(load, chunks)
        blocks = score(item)
        if written is not None:
            written.result()
        written = writer.submit(write, blocks)
    if written is not None:
        written.result()
