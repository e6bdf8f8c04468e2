"""Many days of snapshots in one pass: the history of the demo seed and of
`recompute_health --backfill` (health.services.health_backfill).

health_scores_compute scores one day: each measure runs its windowed query for that day and
every snapshot is a dict in Python. A history of D days that way reads every rollup row up
to 60 times (the windows slide one day at a time) and formats D x accounts snapshots one by
one. Here, per chunk of accounts, for all the days at once:

1. each measure's raw values come as a days x accounts array (NaN = no data): measures that
   offer `compute_days` (health.registry) read their rows once for the whole span; the others
   run `compute` once per day;
2. scoring is array arithmetic doing the same floating-point operations in the same order as
   health.scoring.combine (weights spread over the measures with data, contributions summed
   in the scorecard's order, rounded half to even), each distinct raw value scored once by
   PlanMeasure.score; overrides and bands as in score_rows;
3. each snapshot's JSON is joined from pieces formatted once per (measure, value, weight sum),
   in the order combine builds it, and the chunk is written with one COPY, day by day (a
   day's rows together, as the nightly writes them: most readers read one day).

The snapshots equal the per-day ones (tests/health/test_history.py compares every field but
computed_at). Parents' roll-up and, for today, the Account columns follow as in
health_recompute.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.db import connection
from django.utils import timezone

from accounts.choices import HealthBand
from accounts.models import Account
from usage.rollups import AccountRange

from . import signals
from .models import HealthScore, ScoreSource
from .registry import _RUN_CACHE, MEASURES
from .scoring import Plan, pick_plan

_dumps = json.JSONEncoder(check_circular=False, separators=(",", ":")).encode


def raw_values_days(*, days: Sequence[date], account_ids: Sequence[int], keys: Sequence[str]) -> dict[str, np.ndarray]:
    """Each measure's raw values, days x accounts (NaN = no data), within one run cache so
    measures sharing a query read it once."""
    n_days, n = len(days), len(account_ids)
    token = _RUN_CACHE.set({})
    try:
        out = {}
        for key in keys:
            measure = MEASURES.get(key)
            if measure is None:
                continue
            if measure.compute_days is not None:
                values = np.asarray(measure.compute_days(days, account_ids), dtype=np.float64)
                if values.shape != (n_days, n):
                    raise ValueError(f"measure {key!r}: compute_days gave {values.shape}, not {(n_days, n)}")
            else:
                values = np.full((n_days, n), np.nan)
                col = {a: j for j, a in enumerate(account_ids)}
                for i, day in enumerate(days):
                    for account_id, value in measure.compute(day, account_ids).items():
                        j = col.get(account_id)
                        if j is not None and value is not None:
                            values[i, j] = value
            out[key] = values
        return out
    finally:
        _RUN_CACHE.reset(token)


def _overrides_days(days: Sequence[date], account_ids: Sequence[int]) -> list[dict[int, int]]:
    """Per day, the score of each account's active override (services._active_overrides'
    rule, applied to one query's rows)."""
    from usage.rollups import account_filter

    from .models import HealthOverride
    from .services import _moment

    moments = [_moment(d) for d in days]
    rows = account_filter(
        HealthOverride.objects.filter(created_at__lte=max(moments), expires_at__gt=min(moments)), account_ids
    ).order_by("account_id", "-created_at", "-id")
    rows = list(rows.values_list("account_id", "score", "created_at", "expires_at", "cleared_at"))
    result: list[dict[int, int]] = []
    for moment in moments:
        active: dict[int, int] = {}
        for account_id, score, created_at, expires_at, cleared_at in rows:
            if created_at <= moment < expires_at and not (cleared_at is not None and cleared_at <= moment):
                active.setdefault(account_id, score)
        result.append(active)
    return result


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


def _copy_lines(blocks: list[Block], days: Sequence[date]):
    """write(copy): the blocks' snapshots as COPY text in the order of services._FIELDS."""
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


def _write(blocks: list[Block], days: Sequence[date], ids: Sequence[int]) -> None:
    """Store the chunk's snapshots: COPY on PostgreSQL (an upsert where some exist already),
    bulk_create elsewhere."""
    from .services import snapshots_pg_write, snapshots_upsert

    if not any(b.account_ids for b in blocks):
        return
    if connection.vendor == "postgresql":
        snapshots_pg_write(_copy_lines(blocks, days), days=list(days), lo=min(ids), hi=max(ids))
        return
    snapshots_upsert(
        [
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
    )


class _Writer:
    """PostgreSQL: COPY a chunk's new snapshots on a second thread over this very connection
    (so inside the caller's transaction, the demo seed's one), while this thread scores the
    next chunk: PostgreSQL parses the JSON on one core while Python works on the other. This
    thread leaves the connection alone until `wait()`. Chunks that have snapshots already go
    through snapshots_pg_write (upsert) here, as does a COPY stopped by a row inserted
    meanwhile."""

    def __init__(self, days: Sequence[date]):
        from concurrent.futures import ThreadPoolExecutor

        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="health-history-copy")
        self.pending = None
        # No snapshot of these days at all (a new history): no chunk needs its own check.
        self.fresh = not HealthScore.objects.filter(day__in=list(days)).exists()

    def submit(self, blocks: list[Block], days: Sequence[date], ids: Sequence[int]) -> None:
        from .services import _FIELDS, snapshots_pg_write

        self.wait()
        if not any(b.account_ids for b in blocks):
            return
        lo, hi = min(ids), max(ids)
        write = _copy_lines(blocks, days)
        if (
            not self.fresh
            and HealthScore.objects.filter(day__in=list(days), account_id__gte=lo, account_id__lte=hi).exists()
        ):
            snapshots_pg_write(write, days=list(days), lo=lo, hi=hi)
            return
        connection.ensure_connection()
        raw, in_atomic = connection.connection, connection.in_atomic_block
        sql = f"COPY {HealthScore._meta.db_table} ({', '.join(_FIELDS)}) FROM STDIN"

        def copy_in() -> bool:
            import psycopg

            with raw.cursor() as cursor:
                if in_atomic:
                    cursor.execute("SAVEPOINT health_history_copy")
                try:
                    with cursor.copy(sql) as copy:
                        write(copy)
                except psycopg.errors.UniqueViolation:
                    if in_atomic:
                        cursor.execute("ROLLBACK TO SAVEPOINT health_history_copy")
                    return False
                if in_atomic:
                    cursor.execute("RELEASE SAVEPOINT health_history_copy")
            return True

        self.pending = (self.pool.submit(copy_in), write, list(days), lo, hi)

    def wait(self) -> None:
        from .services import snapshots_pg_write

        if self.pending is None:
            return
        future, write, days, lo, hi = self.pending
        self.pending = None
        if not future.result():
            snapshots_pg_write(write, days=days, lo=lo, hi=hi)

    def close(self) -> None:
        try:
            if self.pending is not None:
                self.pending[0].exception()  # never leave the COPY running on the connection
        finally:
            self.pool.shutdown()


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
    of chunk k runs on a second thread while chunk k+1 is scored; chunk k+2 is read once it
    is done (one connection, one transaction)."""
    from .services import _chunks, plans_load, scorecard_default_ensure

    days = sorted(set(days))
    if plans is None:
        plans = plans_load()
        if not plans:
            scorecard_default_ensure()
            plans = plans_load()
    scored: dict[date, list[int]] = {d: [] for d in days}
    if not days or not plans:
        return scored
    keys = sorted({m.key for p in plans for m in p.measures})
    chunks = list(_chunks(account_ids))
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
        return chunk, ids, raw, _overrides_days(days, ids)

    writer = _Writer(days) if connection.vendor == "postgresql" and len(chunks) > 1 else None
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
                _write(blocks, days, ids)
                item = read(k + 1) if k + 1 < len(chunks) else None
                continue
            writer.wait()  # the connection is free again: read the next chunk, then write this one
            item = read(k + 1) if k + 1 < len(chunks) else None
            writer.submit(blocks, days, ids)
        if writer is not None:
            writer.wait()
    finally:
        if writer is not None:
            writer.close()
    return scored


def parents_rollup_days(days: Sequence[date], rows: dict | None = None) -> int:
    """health_parents_rollup of every day at once: parents' score = the ARR-weighted mean of
    their children's scores and their own computed score (equal weights when nobody pays),
    their override still winning. Reads the snapshots' figures without their JSON and
    updates the changed ones in one statement on PostgreSQL; with `rows` (the parents' and
    children's snapshots as health_history_compute captured them) it reads nothing back.
    Returns the rows updated."""
    from django.db.models import Exists, OuterRef

    from .models import Scorecard

    parents = dict(
        Account.objects.filter(Exists(Account.objects.filter(parent_id=OuterRef("pk")))).values_list("id", "mrr")
    )
    if not parents or not days:
        return 0
    children = list(Account.objects.filter(parent_id__in=list(parents)).values_list("id", "parent_id", "mrr"))
    kids: dict[int, list[tuple[int, float]]] = {}
    for child_id, parent_id, mrr in children:  # in the query's order, as health_parents_rollup sums them
        kids.setdefault(parent_id, []).append((child_id, mrr))
    snaps: dict[tuple[int, date], tuple] = rows if rows is not None else {}
    if rows is None:
        for row in HealthScore.objects.filter(
            day__in=list(days), account_id__in=list(parents) + [c[0] for c in children]
        ).values_list("account_id", "day", "id", "score", "computed_score", "source", "scorecard_id", "band"):
            snaps[(row[0], row[1])] = row
    bands = {sc.id: sc for sc in Scorecard.objects.all()}
    changed: list[tuple[int, int, str]] = []
    for day in days:
        for parent_id, mrr in parents.items():
            own = snaps.get((parent_id, day))
            if own is None or own[5] == ScoreSource.OVERRIDE:
                continue
            items = [(own[4], float(mrr))] if own[4] is not None else []
            for child_id, child_mrr in kids.get(parent_id, ()):
                snap = snaps.get((child_id, day))
                if snap is not None:
                    items.append((snap[3], float(child_mrr)))
            if not items:
                continue
            total_w = sum(w for _, w in items)
            score = sum(s * w for s, w in items) / total_w if total_w > 0 else sum(s for s, _ in items) / len(items)
            score = int(round(score))
            scorecard = bands.get(own[6])
            changed.append((own[2], score, scorecard.band_for(score) if scorecard else own[7], parent_id, day))
    if not changed:
        return 0
    if rows is not None:  # no ids: by (account, day), the unique index
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {HealthScore._meta.db_table} h SET score = v.score, band = v.band, source = %s "
                    "FROM unnest(%s::bigint[], %s::date[], %s::int[], %s::text[]) AS v(account_id, day, score, band) "
                    "WHERE h.account_id = v.account_id AND h.day = v.day",
                    [
                        ScoreSource.ROLLUP.value,
                        [c[3] for c in changed],
                        [c[4] for c in changed],
                        [c[1] for c in changed],
                        [c[2] for c in changed],
                    ],
                )
        else:
            for _, score, band, account_id, day in changed:
                HealthScore.objects.filter(account_id=account_id, day=day).update(
                    score=score, band=band, source=ScoreSource.ROLLUP
                )
        return len(changed)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {HealthScore._meta.db_table} h SET score = v.score, band = v.band, source = %s "
                "FROM unnest(%s::bigint[], %s::int[], %s::text[]) AS v(id, score, band) WHERE h.id = v.id",
                [ScoreSource.ROLLUP.value, [c[0] for c in changed], [c[1] for c in changed], [c[2] for c in changed]],
            )
    else:
        HealthScore.objects.bulk_update(
            [HealthScore(id=i, score=score, band=band, source=ScoreSource.ROLLUP) for i, score, band, *_ in changed],
            ["score", "band", "source"],
            batch_size=500,
        )
    return len(changed)


def history_finish(*, days: Sequence[date], scored: dict[date, list[int]], family: dict | None = None) -> None:
    """After the snapshots: every day's parents roll-up; for today, the Account columns and
    the scores_recomputed signal, as health_recompute does."""
    from .services import CHUNK_SIZE, health_current_update, today

    parents_rollup_days(days, rows=None if family is None else family["rows"])
    for day in sorted(days):
        if day >= today():
            done = set(scored.get(day, ()))
            every = list(Account.objects.order_by("id").values_list("id", flat=True))
            for i in range(0, len(every), CHUNK_SIZE):
                chunk = every[i : i + CHUNK_SIZE]
                health_current_update(as_of=day, account_ids=AccountRange(chunk, chunk[0], chunk[-1]), scored=done)
            signals.scores_recomputed.send(sender=HealthScore, account_ids=scored.get(day, []), day=day)
