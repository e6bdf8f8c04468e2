"""Many days of snapshots for many accounts, chunk by chunk: read, score, write."""

from collections.abc import Sequence
from datetime import date

import numpy as np

from accounts.models import Account

from .. import sql
from ..recompute.inputs import account_chunks
from ..recompute.plans import plans_or_default
from ..scoring import Plan
from .inputs import overrides_days, raw_values_days
from .scoring import score_days
from .store import copy_lines, snapshots_days_store

__all__ = ["health_history_compute"]


def health_history_compute(
    *,
    days: Sequence[date],
    account_ids: Sequence[int] | None = None,
    plans: list[Plan] | None = None,
    family: dict | None = None,
) -> dict[date, list[int]]:
    """Compute and store the snapshots of every day in `days` for these accounts (all, in
    chunks, when None): what health_scores_compute gives day by day. Returns the ids scored
    per day. Parents and Account columns are the caller's (health_backfill); `family` (a
    dict) receives the figures parents_rollup_days needs ("rows": parents' and children's
    snapshots), so it need not read them back.

    Per chunk: read (this connection), score (Python), write (COPY). On PostgreSQL the COPY
    of chunk k runs on a second thread (health.sql.SnapshotCopier) while chunk k+1 is
    scored; chunk k+2 is read once it is done (one connection, one transaction)."""
    days = sorted(set(days))
    plans = plans_or_default(plans)
    scored: dict[date, list[int]] = {d: [] for d in days}
    if not days or not plans:
        return scored
    keys = sorted({m.key for p in plans for m in p.measures})
    chunks = list(account_chunks(account_ids))
    members = None
    if family is not None:
        members = np.array(
            sorted(
                set(Account.objects.filter(parent__isnull=False).values_list("id", flat=True))
                | set(Account.objects.filter(parent__isnull=False).values_list("parent_id", flat=True))
            ),
            dtype=np.int64,
        )
        family["rows"] = {}

    def read(k: int):
        chunk, ids = chunks[k]
        raw = raw_values_days(days=days, account_ids=ids, keys=keys)
        return chunk, ids, raw, overrides_days(days, ids)

    writer = sql.history_copier(days, len(chunks))
    try:
        item = read(0) if chunks else None
        for k in range(len(chunks)):
            chunk, ids, raw, overrides = item
            blocks = score_days(days=days, accounts=chunk, plans=plans, raw=raw, overrides=overrides)
            for b in blocks:
                for account_id, i in zip(b.account_ids, b.day_index, strict=True):
                    scored[days[i]].append(account_id)
                if members is not None and len(members):
                    for r in np.nonzero(np.isin(np.asarray(b.account_ids, dtype=np.int64), members))[0].tolist():
                        a, day = b.account_ids[r], days[b.day_index[r]]
                        family["rows"][(a, day)] = (
                            a,
                            day,
                            None,
                            b.scores[r],
                            b.computed[r],
                            b.sources[r],
                            b.plan_id,
                            b.bands[r],
                        )
            if writer is None:
                snapshots_days_store(blocks, days, ids)
                item = read(k + 1) if k + 1 < len(chunks) else None
                continue
            writer.wait()  # the connection is free again: read the next chunk, then write this one
            item = read(k + 1) if k + 1 < len(chunks) else None
            if any(b.account_ids for b in blocks):
                writer.submit(copy_lines(blocks, days), days, ids)
        if writer is not None:
            writer.wait()
    finally:
        if writer is not None:
            writer.close()
    return scored
