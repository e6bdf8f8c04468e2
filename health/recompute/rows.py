"""Scoring a chunk in memory: each account's scorecard, measure scores, contributions,
score and band; an active CSM override replaces the score."""

from collections.abc import Sequence
from datetime import date

from ..models import ScoreSource
from ..scoring import Plan, combine, pick_plan
from .inputs import ChunkInputs, chunk_inputs

__all__ = ["score_rows"]


def score_rows(
    *,
    as_of: date,
    accounts: Sequence[tuple[int, str, str]],
    plans: Sequence[Plan],
    account_ids: list[int] | None = None,
    inputs: ChunkInputs | None = None,
) -> list[dict]:
    """Score these (id, tier, segment) accounts as of `as_of`: in memory after one query
    per measure (plus one for overrides). `account_ids` (their ids, maybe an AccountRange)
    lets the measures filter by range; `inputs` are the chunk's raw values and overrides
    when already read (the pipelined nightly). Returns snapshot dicts, not saved."""
    if not accounts or not plans:
        return []
    if inputs is None:
        ids = account_ids if account_ids is not None else [a[0] for a in accounts]
        inputs = chunk_inputs(as_of=as_of, account_ids=ids, plans=plans)
    raw, overrides = inputs.raw, inputs.overrides
    picked: dict[tuple[str, str], tuple[Plan, list] | None] = {}
    rows = []
    for account_id, tier, segment in accounts:
        entry = picked.get((tier, segment), 0)
        if entry == 0:
            plan = pick_plan(plans, tier, segment)
            # The plan's measures' value maps, looked up once per plan, not per account.
            entry = picked[(tier, segment)] = (
                None if plan is None else (plan, [(m.key, raw.get(m.key, {})) for m in plan.measures])
            )
        if entry is None:
            continue
        plan, sources = entry
        computed, details = combine(plan.measures, {k: values.get(account_id) for k, values in sources})
        override = overrides.get(account_id)
        if override is not None:
            score, source = override.score, ScoreSource.OVERRIDE
        elif computed is not None:
            score, source = computed, ScoreSource.MEASURES
        else:
            continue
        rows.append(
            {
                "account_id": account_id,
                "day": as_of,
                "scorecard_id": plan.id,
                "score": score,
                "band": plan.band(score),
                "computed_score": computed,
                "source": source,
                "measures": details,
            }
        )
    return rows
