"""Health writes: the one set-based recompute (used by the command, the nightly Celery
group, and the on-demand refresh of one account), overrides, sentiment, scorecards.

The recompute, for a day `as_of` and a list of accounts (or all, in chunks):
1. each measure used by a scorecard computes raw values for the whole chunk in one or two
   queries (usage from the daily rollups, never the raw events);
2. each account gets its scorecard, measure scores, contributions, score and band in
   memory, then an active CSM override replaces the score;
3. the snapshots are upserted (unique account + day: twice = same rows);
4. parents get their children's ARR-weighted score;
5. when `as_of` is today, the Account columns are refreshed and band changes announced
   (health.signals.band_changed + the "health.band_changed" webhook).
"""

import logging
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.choices import ActivityKind
from accounts.models import Account
from accounts.services import activity_create
from usage.rollups import AccountRange, account_filter

from . import signals
from .measures import DEFAULT_WEIGHTS, end_of_day
from .models import CsmSentiment, HealthOverride, HealthScore, HealthSettings, Scorecard, ScorecardMeasure, ScoreSource
from .overrides import overrides_ended, overrides_settle
from .registry import _RUN_CACHE, MEASURES
from .scoring import Plan, PlanMeasure, combine, pick_plan

logger = logging.getLogger(__name__)

CHUNK_SIZE = 5000
REFRESH_DELAY_SECONDS = getattr(settings, "HEALTH_REFRESH_DELAY_SECONDS", 30)


def today() -> date:
    return timezone.now().date()


# Section: scorecards


def scorecard_default_ensure() -> Scorecard:
    """The default scorecard, created with every registered measure at its default
    thresholds and weights when there is none."""
    existing = Scorecard.objects.filter(is_default=True).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            scorecard = Scorecard.objects.create(name="Default", is_default=True)
            ScorecardMeasure.objects.bulk_create(
                ScorecardMeasure(
                    scorecard=scorecard,
                    measure_key=m.key,
                    weight=DEFAULT_WEIGHTS.get(m.key, 10),
                    points=[list(p) for p in m.default_points],
                )
                for m in MEASURES.values()
                if m.default_points
            )
    except IntegrityError:
        # Two first ingests at once (an empty database): the other one created it.
        return Scorecard.objects.get(is_default=True)
    return scorecard


def plans_load() -> list[Plan]:
    """Every scorecard with its measures, in two queries."""
    measures: dict[int, list[PlanMeasure]] = {}
    for sm in ScorecardMeasure.objects.all():
        measures.setdefault(sm.scorecard_id, []).append(
            PlanMeasure(key=sm.measure_key, weight=sm.weight, points=tuple(tuple(p) for p in sm.points))
        )
    return [
        Plan(
            id=sc.id,
            name=sc.name,
            tier=sc.tier,
            segment=sc.segment,
            is_default=sc.is_default,
            red_below=sc.red_below,
            green_from=sc.green_from,
            measures=tuple(measures.get(sc.id, ())),
        )
        for sc in Scorecard.objects.all()
    ]


# Section: recompute


@dataclass
class RecomputeResult:
    day: date
    scored: list[int] = field(default_factory=list)
    band_changes: list[dict] = field(default_factory=list)


def _moment(as_of: date) -> datetime:
    return min(end_of_day(as_of), timezone.now())


def _active_overrides(as_of: date, account_ids: Sequence[int] | None) -> dict[int, HealthOverride]:
    moment = _moment(as_of)
    rows = account_filter(
        HealthOverride.objects.filter(created_at__lte=moment, expires_at__gt=moment).exclude(cleared_at__lte=moment),
        account_ids,
    )
    active: dict[int, HealthOverride] = {}
    for o in rows.order_by("account_id", "-created_at", "-id"):
        active.setdefault(o.account_id, o)
    return active


def raw_values(*, as_of: date, account_ids: Sequence[int] | None, keys: Iterable[str]) -> dict[str, dict]:
    """Every measure's raw values for these accounts, rollups read once for the run."""
    token = _RUN_CACHE.set({})
    try:
        return {key: MEASURES[key].compute(as_of, account_ids) for key in keys if key in MEASURES}
    finally:
        _RUN_CACHE.reset(token)


def score_rows(
    *,
    as_of: date,
    accounts: Sequence[tuple[int, str, str]],
    plans: Sequence[Plan],
    account_ids: list[int] | None = None,
    inputs: "ChunkInputs | None" = None,
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


@dataclass
class ChunkInputs:
    """What scoring a chunk reads from the database: each measure's raw values and the
    active overrides."""

    raw: dict[str, dict]
    overrides: dict[int, HealthOverride]


def chunk_inputs(*, as_of: date, account_ids: Sequence[int], plans: Sequence[Plan]) -> ChunkInputs:
    keys = sorted({m.key for p in plans for m in p.measures})
    return ChunkInputs(
        raw=raw_values(as_of=as_of, account_ids=account_ids, keys=keys),
        overrides=_active_overrides(as_of, account_ids),
    )


_FIELDS = ["account_id", "day", "scorecard_id", "score", "band", "computed_score", "source", "measures", "computed_at"]


def snapshots_upsert(rows: Sequence[dict]) -> None:
    """Insert or replace (account, day) snapshots. PostgreSQL: COPY straight into the table
    when none of these rows exists yet, else COPY into a temporary table and one INSERT ...
    ON CONFLICT that rewrites only the rows whose content changed; elsewhere (and for a few
    rows) bulk_create with update_conflicts."""
    if not rows:
        return
    now = timezone.now()
    if connection.vendor == "postgresql" and len(rows) >= 200:
        import json

        dumps = json.JSONEncoder(check_circular=False).encode

        def write(copy):
            for r in rows:
                copy.write_row(
                    (
                        r["account_id"],
                        r["day"],
                        r["scorecard_id"],
                        r["score"],
                        r["band"],
                        r["computed_score"],
                        r["source"],
                        dumps(r["measures"]),
                        now,
                    )
                )

        ids = [r["account_id"] for r in rows]
        snapshots_pg_write(write, days=sorted({r["day"] for r in rows}), lo=min(ids), hi=max(ids))
    else:
        HealthScore.objects.bulk_create(
            [HealthScore(computed_at=now, **r) for r in rows],
            batch_size=500,
            update_conflicts=True,
            unique_fields=["account", "day"],
            update_fields=[f.removesuffix("_id") if f == "scorecard_id" else f for f in _FIELDS[2:]],
        )


def snapshots_pg_write(write, *, days: Sequence[date], lo: int, hi: int) -> None:
    """PostgreSQL: store snapshots of these days for accounts lo..hi that `write(copy)` sends
    to a COPY in the order of _FIELDS (it may be called twice). COPY straight into the table
    when none of those rows exists yet, else through a temporary table and one INSERT ... ON
    CONFLICT that rewrites only the rows whose content changed."""
    table = HealthScore._meta.db_table
    cols = ", ".join(_FIELDS)
    fresh = not HealthScore.objects.filter(day__in=list(days), account_id__gte=lo, account_id__lte=hi).exists()
    if fresh:
        # The usual nightly case (a new day): COPY straight into the table. Should an
        # on-demand refresh have inserted one of these rows meanwhile, the unique
        # constraint stops the COPY and the upsert below runs instead.
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    write(copy)
            return
        except IntegrityError:
            pass
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS health_snap_in ON COMMIT DELETE ROWS "
            f"AS SELECT {cols} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY health_snap_in ({cols}) FROM STDIN") as copy:
            write(copy)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in _FIELDS[2:])
        # A row whose content is unchanged is left alone (no new row version, no index
        # churn): a rerun of the same day writes only what moved, and keeps its computed_at.
        content = _FIELDS[2:-1]
        old = ", ".join(f"t.{c}" for c in content)
        new = ", ".join(f"EXCLUDED.{c}" for c in content)
        cursor.execute(
            f"INSERT INTO {table} AS t ({cols}) SELECT {cols} FROM health_snap_in "
            f"ON CONFLICT (account_id, day) DO UPDATE SET {updates} "
            f"WHERE ({old}) IS DISTINCT FROM ({new})"
        )
        cursor.execute("DELETE FROM health_snap_in")


def _chunks(account_ids: Sequence[int] | None) -> Iterator[tuple[list[tuple[int, str, str]], list[int]]]:
    """(accounts as (id, tier, segment), their ids) per chunk of CHUNK_SIZE, by id. A chunk
    holding every account of its id range comes as an AccountRange (filtered by range:
    index-friendly, no list of thousands of ids); one count query tells."""
    accounts = Account.objects.order_by("id")
    if account_ids is not None:
        accounts = accounts.filter(id__in=list(account_ids))
    last_id = 0
    while True:
        chunk = list(accounts.filter(id__gt=last_id).values_list("id", "tier", "segment")[:CHUNK_SIZE])
        if not chunk:
            return
        ids = [c[0] for c in chunk]
        lo, hi = ids[0], ids[-1]
        if account_ids is None or len(ids) < 50 or Account.objects.filter(id__gte=lo, id__lte=hi).count() == len(ids):
            ids = AccountRange(ids, lo, hi) if len(ids) >= 50 else ids
        yield chunk, ids
        if len(chunk) < CHUNK_SIZE:
            return
        last_id = hi


def _pipelined(account_ids: Sequence[int] | None) -> bool:
    """Read the next chunk on a second connection while this one scores and writes?
    PostgreSQL only, for more than one chunk, and never inside a transaction (the second
    connection would not see its uncommitted rows)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    if account_ids is not None:
        return len(account_ids) > CHUNK_SIZE
    return Account.objects.filter(id__gt=0).order_by("id")[CHUNK_SIZE : CHUNK_SIZE + 1].exists()


def health_scores_compute(
    *, as_of: date, account_ids: Sequence[int] | None = None, plans: list[Plan] | None = None
) -> list[int]:
    """Compute and store the snapshots of `as_of` for these accounts (all, in chunks, when
    None). Returns the ids that got a snapshot.

    Each chunk is read (measures, overrides: database work), scored (Python) and written
    (COPY). With several chunks on PostgreSQL this is a pipeline of three threads, each
    database side on its own connection: one reads chunk k+1, this one scores chunk k, one
    writes chunk k-1, so PostgreSQL's work and Python's overlap on two cores. At most one
    read and one write are in flight (memory stays a few chunks); the snapshots are the same
    as one chunk after the other."""
    if plans is None:
        plans = plans_load()
        if not plans:
            scorecard_default_ensure()
            plans = plans_load()
    scored: list[int] = []

    def load(chunks):
        item = next(chunks, None)
        if item is None:
            return None
        chunk, ids = item
        return chunk, ids, chunk_inputs(as_of=as_of, account_ids=ids, plans=plans)

    def score(item) -> list[dict]:
        chunk, ids, inputs = item
        rows = score_rows(as_of=as_of, accounts=chunk, plans=plans, account_ids=ids, inputs=inputs)
        scored.extend(r["account_id"] for r in rows)
        return rows

    chunks = _chunks(account_ids)
    if not _pipelined(account_ids):
        while (item := load(chunks)) is not None:
            snapshots_upsert(score(item))
        return scored
    reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="health-read")
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="health-write")
    written = None
    try:
        pending = reader.submit(load, chunks)
        while (item := pending.result()) is not None:
            pending = reader.submit(load, chunks)
            rows = score(item)
            if written is not None:
                written.result()
            written = writer.submit(snapshots_upsert, rows)
        if written is not None:
            written.result()
    finally:
        # Let pending work finish, then close each worker's own connection (the lambda
        # resolves `connection` in the worker thread: connections are per thread).
        for pool in (reader, writer):
            pool.submit(lambda: connection.close()).result()
            pool.shutdown()
    return scored


def health_parents_rollup(*, as_of: date, account_ids: Iterable[int] | None = None) -> list[int]:
    """Parents' score = their children's scores (and their own computed score) weighted by
    ARR; equal weights when nobody pays. One level. An override on the parent wins.
    With `account_ids`, only the parents among them or of them. Returns the parent ids."""
    if account_ids is None:
        parents_qs = Account.objects.filter(children__isnull=False).distinct()
    else:
        # Accounts among these that have children, or whose child is among them: two
        # index lookups (one query with an OR joined every account's children).
        ids = set(account_ids)
        ids |= set(Account.objects.filter(id__in=list(ids), parent__isnull=False).values_list("parent_id", flat=True))
        parents_qs = Account.objects.filter(id__in=sorted(ids)).filter(
            Exists(Account.objects.filter(parent_id=OuterRef("pk")))
        )
    parents = dict(parents_qs.values_list("id", "mrr"))
    if not parents:
        return []
    children = list(Account.objects.filter(parent_id__in=list(parents)).values_list("id", "parent_id", "mrr"))
    snaps = {
        s.account_id: s
        for s in HealthScore.objects.filter(day=as_of, account_id__in=list(parents) + [c[0] for c in children])
    }
    bands = {sc.id: sc for sc in Scorecard.objects.all()}
    members: dict[int, list[tuple[float, float]]] = {p: [] for p in parents}
    for parent_id, mrr in parents.items():
        own = snaps.get(parent_id)
        if own is not None and own.computed_score is not None:
            members[parent_id].append((own.computed_score, float(mrr)))
    for child_id, parent_id, mrr in children:
        snap = snaps.get(child_id)
        if snap is not None:
            members[parent_id].append((snap.score, float(mrr)))
    changed = []
    for parent_id, items in members.items():
        snap = snaps.get(parent_id)
        if snap is None or snap.source == ScoreSource.OVERRIDE or not items:
            continue
        total_w = sum(w for _, w in items)
        score = sum(s * w for s, w in items) / total_w if total_w > 0 else sum(s for s, _ in items) / len(items)
        scorecard = bands.get(snap.scorecard_id)
        snap.score = int(round(score))
        snap.band = scorecard.band_for(snap.score) if scorecard else snap.band
        snap.source = ScoreSource.ROLLUP
        changed.append(snap)
    HealthScore.objects.bulk_update(changed, ["score", "band", "source"])
    return list(parents)


def health_current_update(*, as_of: date, account_ids: Sequence[int], scored: set[int] | None = None) -> list[dict]:
    """Copy the `as_of` snapshot onto Account.health_* (score, band, change over 7 days) and
    announce band changes. `scored` (the ids known to have that snapshot) saves a query.
    Returns the changes."""
    if not account_ids:
        return []
    week = as_of - timedelta(days=7)
    changes = []
    if connection.vendor == "postgresql":
        if isinstance(account_ids, AccountRange):
            # The range on the snapshots too: the planner does not carry it over the join, and
            # without it every chunk reads the whole day's snapshots.
            id_filter = "a.id BETWEEN %(lo)s AND %(hi)s AND s.account_id BETWEEN %(lo)s AND %(hi)s"
            params = {"lo": account_ids.lo, "hi": account_ids.hi}
        else:
            id_filter, params = "a.id = ANY(%(ids)s) AND s.account_id = ANY(%(ids)s)", {"ids": list(account_ids)}
        params.update(day=as_of, week=week)
        account_table, score_table = Account._meta.db_table, HealthScore._meta.db_table
        with connection.cursor() as cursor:
            # One statement: only the rows that differ are written, and RETURNING hands back
            # their old score and band (the FROM self-join reads the pre-update row), so a
            # band change needs no before/after reads.
            cursor.execute(
                f"""
                UPDATE {account_table} a
                SET health_score = s.score, health_band = s.band, health_change_7d = s.score - w.score
                FROM {score_table} s
                JOIN {account_table} o ON o.id = s.account_id
                LEFT JOIN {score_table} w ON w.account_id = s.account_id AND w.day = %(week)s
                WHERE s.day = %(day)s AND a.id = s.account_id AND {id_filter}
                  AND (o.health_score IS DISTINCT FROM s.score OR o.health_band IS DISTINCT FROM s.band
                       OR o.health_change_7d IS DISTINCT FROM s.score - w.score)
                RETURNING a.id, o.health_score, o.health_band, s.score, s.band, a.external_id, s.source
                """,
                params,
            )
            updated = sorted(cursor.fetchall())
        for account_id, old_score, old_band, score, band, external_id, source in updated:
            if old_band and band != old_band:
                changes.append(
                    {
                        "account_id": account_id,
                        "account": external_id,
                        "old_band": old_band,
                        "new_band": band,
                        "old_score": old_score,
                        "new_score": score,
                        "day": as_of,
                        "is_override": source == ScoreSource.OVERRIDE,
                    }
                )
        # Accounts that have no snapshot that day lose their score.
        if scored is None or any(i not in scored for i in account_ids):
            stale = account_filter(Account.objects, account_ids, "id").exclude(health_scores__day=as_of)
            stale.exclude(health_score=None, health_band="", health_change_7d=None).update(
                health_score=None, health_band="", health_change_7d=None
            )
    else:
        before = {
            a: (score, band)
            for a, score, band in account_filter(Account.objects, account_ids, "id").values_list(
                "id", "health_score", "health_band"
            )
        }
        snap = HealthScore.objects.filter(account=OuterRef("pk"), day=as_of)
        prior = HealthScore.objects.filter(account=OuterRef("pk"), day=week)
        account_filter(Account.objects, account_ids, "id").update(
            health_score=Subquery(snap.values("score")[:1]),
            health_band=Coalesce(Subquery(snap.values("band")[:1]), Value("")),
            health_change_7d=Subquery(snap.values("score")[:1]) - Subquery(prior.values("score")[:1]),
        )
        after = account_filter(HealthScore.objects.filter(day=as_of), account_ids).values_list(
            "account_id", "score", "band", "account__external_id", "source"
        )
        for account_id, score, band, external_id, source in after:
            old_score, old_band = before.get(account_id, (None, ""))
            if old_band and band != old_band:
                changes.append(
                    {
                        "account_id": account_id,
                        "account": external_id,
                        "old_band": old_band,
                        "new_band": band,
                        "old_score": old_score,
                        "new_score": score,
                        "day": as_of,
                        "is_override": source == ScoreSource.OVERRIDE,
                    }
                )
    ended = overrides_ended(account_ids)
    for c in changes:
        # An override that just ended caused this change too (its score went away).
        c["is_override"] = c["is_override"] or c["account_id"] in ended
    if changes:
        _announce(changes)
    overrides_settle(ended)
    return changes


def _announce(changes: list[dict]) -> None:
    from core.models import WebhookEndpoint
    from core.webhooks import webhook_emit

    wanted = any(e.wants("health.band_changed") for e in WebhookEndpoint.objects.filter(is_active=True))
    for c in changes:
        signals.band_changed.send(
            sender=HealthScore,
            account_id=c["account_id"],
            old_band=c["old_band"],
            new_band=c["new_band"],
            old_score=c["old_score"],
            new_score=c["new_score"],
            day=c["day"],
            is_override=c["is_override"],
        )
        if wanted:
            webhook_emit(
                event="health.band_changed",
                payload={
                    "account": c["account"],
                    "old_band": c["old_band"],
                    "new_band": c["new_band"],
                    "old_score": c["old_score"],
                    "new_score": c["new_score"],
                    "day": c["day"].isoformat(),
                    "is_override": c["is_override"],
                },
            )


def health_chunk_recompute(*, as_of: date, account_ids: Sequence[int]) -> list[int]:
    """One chunk of the nightly fan-out: snapshots, then the Account columns of the
    accounts that are not parents (parents wait for the roll-up in the final step)."""
    scored = health_scores_compute(as_of=as_of, account_ids=account_ids)
    if as_of >= today():
        parents = set(Account.objects.filter(parent_id__in=list(account_ids)).values_list("parent_id", flat=True))
        health_current_update(as_of=as_of, account_ids=[i for i in account_ids if i not in parents])
    return scored


def health_recompute_finish(*, as_of: date, account_ids: Sequence[int] | None = None) -> list[int]:
    """After every chunk: roll parents up, refresh their Account columns, and tell the
    floors above (playbooks chains its evaluation on scores_recomputed)."""
    parents = health_parents_rollup(as_of=as_of, account_ids=account_ids)
    if as_of >= today() and parents:
        health_current_update(as_of=as_of, account_ids=parents)
    ids = (
        list(account_ids)
        if account_ids is not None
        else list(HealthScore.objects.filter(day=as_of).values_list("account_id", flat=True))
    )
    signals.scores_recomputed.send(sender=HealthScore, account_ids=ids, day=as_of)
    return parents


def health_recompute(*, as_of: date | None = None, account_ids: Sequence[int] | None = None) -> RecomputeResult:
    """Recompute in this process: all accounts (chunked) or the given ones, plus their
    parents. Idempotent: the same inputs give the same snapshots."""
    as_of = as_of or today()
    ids = None if account_ids is None else list(account_ids)
    if ids is not None:
        parents = Account.objects.filter(id__in=ids, parent__isnull=False).values_list("parent_id", flat=True)
        ids = sorted(set(ids) | set(parents))
    scored = health_scores_compute(as_of=as_of, account_ids=ids)
    result = RecomputeResult(day=as_of, scored=scored)
    health_parents_rollup(as_of=as_of, account_ids=ids)
    done = set(scored)
    if as_of >= today():
        if ids is not None:
            result.band_changes += health_current_update(as_of=as_of, account_ids=ids, scored=done)
        else:
            every = list(Account.objects.order_by("id").values_list("id", flat=True))
            for i in range(0, len(every), CHUNK_SIZE):
                chunk = every[i : i + CHUNK_SIZE]
                result.band_changes += health_current_update(
                    as_of=as_of, account_ids=AccountRange(chunk, chunk[0], chunk[-1]), scored=done
                )
    signals.scores_recomputed.send(sender=HealthScore, account_ids=scored, day=as_of)
    return result


def backfill_days(*, days: int, end: date, daily: int | None = None) -> list[date]:
    """The days a backfill of `days` days ending `end` scores, oldest first: every day, or
    with `daily`, every day of the last `daily` days (the 7- and 30-day changes) and before
    that every 7th day counted back from `end` (the grid the backtest's observations and the
    reports' health trend read), always including the first day so the span stays `days`."""
    offsets = range(days - 1, -1, -1)
    if daily is not None:
        offsets = [o for o in offsets if o <= daily or o % 7 == 0 or o == days - 1]
    return [end - timedelta(days=o) for o in offsets]


def health_backfill(*, days: int, end: date | None = None, log=None, daily: int | None = None) -> int:
    """Snapshots for each of the `days` days ending `end` (today), oldest first (with
    `daily`: only the days backfill_days picks): all days in one pass per chunk of accounts
    (health.history, the same snapshots as health_scores_compute day by day), then each
    day's parents roll-up and, for today, what health_recompute does after scoring."""
    from .history import health_history_compute, history_finish

    end = end or today()
    if not Scorecard.objects.exists():
        scorecard_default_ensure()
    grid = backfill_days(days=days, end=end, daily=daily)
    family: dict = {}
    scored = health_history_compute(days=grid, plans=plans_load(), family=family)
    if connection.vendor == "postgresql":
        # Millions of new rows (the demo: ~4M at 100k, in one transaction, so autovacuum
        # has not seen them): without statistics the roll-up, the Account columns and the
        # backtest's reads plan sequential scans over all of them.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {HealthScore._meta.db_table}")
    history_finish(days=grid, scored=scored, family=family)
    if log:
        log(f"{grid[0]} to {grid[-1]}: {len(grid)} days scored")
    return sum(len(ids) for ids in scored.values())


def account_health_refresh_soon(*, account_id: int) -> bool:
    """Recompute this account within a minute, once however many signals arrive meanwhile
    (a cache key debounces; the task clears it when it starts). Returns True if queued."""
    key = f"health:refresh:{account_id}"
    if not cache.add(key, 1, timeout=REFRESH_DELAY_SECONDS + 60):
        return False
    from .tasks import account_health_refresh_task

    transaction.on_commit(
        lambda: account_health_refresh_task.apply_async(args=[account_id], countdown=REFRESH_DELAY_SECONDS)
    )
    return True


def account_health_refresh(*, account_id: int) -> RecomputeResult:
    cache.delete(f"health:refresh:{account_id}")
    return health_recompute(as_of=today(), account_ids=[account_id])


# Section: overrides and sentiment


@transaction.atomic
def health_override_create(
    *, account: Account, score: int, reason: str, expires_at: datetime, author
) -> HealthOverride:
    """Override the account's score until `expires_at`, audited on the timeline, and
    recompute now (and again when it expires)."""
    if not 0 <= score <= 100:
        raise ValueError("score must be between 0 and 100")
    if not reason.strip():
        raise ValueError("a reason is required")
    now = timezone.now()
    if expires_at <= now:
        raise ValueError("the expiry must be in the future")
    override = HealthOverride.objects.create(
        account=account, score=score, reason=reason.strip(), author=author, created_at=now, expires_at=expires_at
    )
    activity_create(
        account=account,
        kind=ActivityKind.SYSTEM,
        author=author,
        subject=f"Health score overridden to {score} until {expires_at:%Y-%m-%d}",
        body=reason.strip(),
        metadata={"health_override_id": override.id, "score": score},
    )
    health_recompute(as_of=today(), account_ids=[account.id])
    from .tasks import account_health_refresh_task

    transaction.on_commit(
        lambda: (
            account_health_refresh_task.apply_async(args=[account.id], eta=expires_at + timedelta(seconds=1))
            if not settings.CELERY_TASK_ALWAYS_EAGER
            else None
        )
    )
    return override


@transaction.atomic
def health_override_clear(*, override: HealthOverride, user) -> HealthOverride:
    if override.cleared_at is None:
        override.cleared_at = timezone.now()
        override.cleared_by = user
        override.save(update_fields=["cleared_at", "cleared_by"])
        activity_create(
            account=override.account,
            kind=ActivityKind.SYSTEM,
            author=user,
            subject="Health score override removed",
            metadata={"health_override_id": override.id},
        )
        health_recompute(as_of=today(), account_ids=[override.account_id])
    return override


@transaction.atomic
def csm_sentiment_record(*, account: Account, value: int, note: str = "", author=None) -> CsmSentiment:
    if not 1 <= value <= 5:
        raise ValueError("sentiment is 1 to 5")
    sentiment = CsmSentiment.objects.create(account=account, value=value, note=note.strip(), author=author)
    activity_create(
        account=account,
        kind=ActivityKind.SYSTEM,
        author=author,
        subject=f"CSM sentiment set to {value}/5",
        body=note.strip(),
        metadata={"csm_sentiment": value},
    )
    health_recompute(as_of=today(), account_ids=[account.id])
    return sentiment


def health_settings_update(*, key_features: list[str], sentiment_stale_days: int) -> HealthSettings:
    obj = HealthSettings.load()
    obj.key_features = list(dict.fromkeys(k.strip() for k in key_features if k.strip()))
    obj.sentiment_stale_days = sentiment_stale_days
    obj.save()
    return obj
