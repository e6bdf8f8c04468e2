"""Storing a chunk's snapshots of many days: as COPY text (PostgreSQL) or as rows, through
the health.sql seam."""

import json
from collections.abc import Sequence
from datetime import date

from django.utils import timezone

from .. import sql
from .scoring import Block

__all__ = ["blocks_rows", "copy_lines", "snapshots_days_store"]


def copy_lines(blocks: list[Block], days: Sequence[date]):
    """write(copy): the blocks' snapshots as COPY text in the order of health.sql.SNAPSHOT_FIELDS."""
    day_text = [d.isoformat() for d in days]
    stamp = timezone.now().isoformat()

    def write(copy):
        # Day by day, every scorecard's accounts: a day's snapshots stay together in the
        # table (one day of every account is what most readers want: the Account columns,
        # the backtest, the reports' trend, the API). JSON holds no tab or newline (json
        # escapes them); its backslashes are doubled.
        for i in range(len(days)):
            lines = []
            for b in blocks:
                head = f"\t{day_text[i]}\t{b.plan_id}\t"
                lo, hi = b.day_starts[i], b.day_starts[i + 1]
                lines += [
                    f"{a}{head}{score}\t{band}\t{'\\N' if computed is None else computed}\t{source}\t"
                    f"{text.replace(chr(92), chr(92) * 2)}\t{stamp}\n"
                    for a, score, band, computed, source, text in zip(
                        b.account_ids[lo:hi],
                        b.scores[lo:hi],
                        b.bands[lo:hi],
                        b.computed[lo:hi],
                        b.sources[lo:hi],
                        b.measures[lo:hi],
                        strict=True,
                    )
                ]
            copy.write("".join(lines))

    return write


def blocks_rows(blocks: list[Block], days: Sequence[date]) -> list[dict]:
    """The blocks' snapshots as the dicts snapshots_upsert takes."""
    return [
        {
            "account_id": a,
            "day": days[i],
            "scorecard_id": b.plan_id,
            "score": score,
            "band": band,
            "computed_score": computed,
            "source": source,
            "measures": json.loads(text),
        }
        for b in blocks
        for a, i, score, band, computed, source, text in zip(
            b.account_ids, b.day_index, b.scores, b.bands, b.computed, b.sources, b.measures, strict=True
        )
    ]


def snapshots_days_store(blocks: list[Block], days: Sequence[date], ids: Sequence[int]) -> None:
    """Store the chunk's snapshots: COPY on PostgreSQL (an upsert where some exist already),
    bulk_create elsewhere."""
    count = sum(len(b.account_ids) for b in blocks)
    if not count:
        return
    sql.snapshots_store(
        copy_lines(blocks, days),
        lambda: blocks_rows(blocks, days),
        days=list(days),
        lo=min(ids),
        hi=max(ids),
        count=count,
    )
