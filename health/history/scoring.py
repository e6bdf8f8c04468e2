"""Scoring many days at once: array arithmetic doing what health.scoring.combine does, each
snapshot's JSON joined from pieces formatted once."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from accounts.choices import HealthBand

from ..models import ScoreSource
from ..scoring import Plan, pick_plan

__all__ = ["Block", "score_days"]

_dumps = json.JSONEncoder(check_circular=False, separators=(",", ":")).encode


class _Piece:
    """A plan measure's JSON pieces: `"key":{...},` per distinct (raw value, weight sum)."""

    def __init__(self, measure):
        self.m = measure
        self.key = _dumps(measure.key) + ":"
        self.missing = (
            self.key + _dumps({"value": None, "score": None, "weight": measure.weight, "contribution": 0.0}) + ","
        )

    def text(self, value: float, total_weight: int) -> str:
        m = self.m
        s, shown = m.score(value)
        # As combine: the contribution of the unrounded score, 0.0 when no weight has data.
        contribution = round(m.weight * s / total_weight, 2) if total_weight else 0.0
        return (
            self.key + _dumps({"value": value, "score": shown, "weight": m.weight, "contribution": contribution}) + ","
        )


@dataclass
class Block:
    """Snapshots of one scorecard's accounts of a chunk, in (day, account) order, as columns;
    day i's rows are [day_starts[i], day_starts[i + 1])."""

    plan_id: int
    account_ids: list[int]
    day_index: list[int]  # into the run's days
    day_starts: list[int]
    scores: list[int]
    bands: list[str]
    computed: list[int | None]
    sources: list[str]
    measures: list[str]  # JSON


def score_days(
    *,
    days: Sequence[date],
    accounts: Sequence[tuple[int, str, str]],
    plans: Sequence[Plan],
    raw: dict[str, np.ndarray],
    overrides: list[dict[int, int]],
) -> list[Block]:
    """The chunk's snapshots for every day: what score_rows gives day by day."""
    n_days = len(days)
    by_plan: dict[int, tuple[Plan, list[int]]] = {}
    picked: dict[tuple[str, str], Plan | None] = {}
    for j, (_, tier, segment) in enumerate(accounts):
        plan = picked.get((tier, segment), 0)
        if plan == 0:
            plan = picked[(tier, segment)] = pick_plan(plans, tier, segment)
        if plan is not None:
            by_plan.setdefault(plan.id, (plan, []))[1].append(j)
    blocks = []
    for plan, cols in by_plan.values():
        ids = np.array([accounts[j][0] for j in cols], dtype=np.int64)
        cols_arr = np.array(cols, dtype=np.int64)
        n = len(cols)
        values, has = [], []
        total_weight = np.zeros((n_days, n), dtype=np.int64)
        for m in plan.measures:
            v = raw[m.key][:, cols_arr] if m.key in raw else np.full((n_days, n), np.nan)
            h = ~np.isnan(v)
            values.append(v)
            has.append(h)
            total_weight += m.weight * h
        # combine: score = sum over the measures with data, in the plan's order, of
        # weight * score / weight sum; rounded half to even; none when no weight has data.
        total = np.zeros((n_days, n))
        missing_pieces, scored_pieces = [], []
        for m, v, h in zip(plan.measures, values, has, strict=True):
            piece = _Piece(m)
            scores = np.zeros((n_days, n))
            texts = np.full((n_days, n), "", dtype=object)
            if h.any():
                uniq, inv = np.unique(v[h], return_inverse=True)
                uniq_values = uniq.tolist()
                scores[h] = np.array([m.score(u)[0] for u in uniq_values])[inv]
                tw_uniq, tw_inv = np.unique(total_weight[h], return_inverse=True)
                width = len(tw_uniq)
                combo, combo_inv = np.unique(inv * width + tw_inv, return_inverse=True)
                combo_texts = [piece.text(uniq_values[c // width], int(tw_uniq[c % width])) for c in combo.tolist()]
                texts[h] = np.array(combo_texts, dtype=object)[combo_inv]
            with np.errstate(divide="ignore", invalid="ignore"):
                contribution = m.weight * scores / total_weight
            total += np.where(h & (total_weight > 0), contribution, 0.0)
            # combine lists the measures without data first, then the scored ones.
            missing_pieces.append(np.where(h, "", piece.missing).astype(object))
            scored_pieces.append(texts)
        computed = np.where(total_weight > 0, np.rint(total), -1).astype(np.int64)
        override = np.full((n_days, n), -1, dtype=np.int64)
        position = {a: k for k, a in enumerate(ids.tolist())}
        for i, active in enumerate(overrides):
            for account_id, score in active.items():
                k = position.get(account_id)
                if k is not None:
                    override[i, k] = score
        score = np.where(override >= 0, override, computed)
        keep = (score >= 0).ravel()  # flat, day-major from here on
        band = np.where(
            score < plan.red_below,
            HealthBand.RED,
            np.where(score >= plan.green_from, HealthBand.GREEN, HealthBand.YELLOW),
        )
        source = np.where(override >= 0, ScoreSource.OVERRIDE.value, ScoreSource.MEASURES.value)
        pieces = [p.ravel()[keep].tolist() for p in missing_pieces + scored_pieces]
        computed_flat = computed.ravel()[keep]
        day_index = np.repeat(np.arange(n_days), n)[keep]
        blocks.append(
            Block(
                plan_id=plan.id,
                account_ids=np.tile(ids, n_days)[keep].tolist(),
                day_index=day_index.tolist(),
                day_starts=np.searchsorted(day_index, np.arange(n_days + 1)).tolist(),
                scores=score.ravel()[keep].tolist(),
                bands=band.ravel()[keep].tolist(),
                computed=[None if c < 0 else c for c in computed_flat.tolist()],
                sources=source.ravel()[keep].tolist(),
                measures=["{" + "".join(parts)[:-1] + "}" for parts in zip(*pieces, strict=True)],
            )
        )
    return blocks
