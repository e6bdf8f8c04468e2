"""The recompute runs: all accounts or some in this process (health_recompute), and the two
steps of the nightly Celery fan-out (one chunk; the finish after every chunk)."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import models, transaction
from django.utils import timezone as dj_timezone

from accounts.models import Account

from .. import signals
from ..models import HealthScore, NightlyRun
from .compute import health_scores_compute
from .current import health_current_update
from .inputs import today
from .rollup import health_parents_rollup

__all__ = [
    "RecomputeResult",
    "health_chunk_recompute",
    "health_day_missing",
    "health_nightly_finish",
    "health_recompute",
    "health_recompute_finish",
]

MISSING_CHUNK = 5000
logger = logging.getLogger(__name__)


@dataclass
class RecomputeResult:
    day: date
    scored: list[int] = field(default_factory=list)
    band_changes: list[dict] = field(default_factory=list)


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


def health_day_missing(*, as_of: date) -> list[int]:
    """Accounts without a snapshot for `as_of`: what a lost chunk leaves behind."""
    scored = HealthScore.objects.filter(day=as_of, account_id=models.OuterRef("pk"))
    return list(Account.objects.filter(~models.Exists(scored)).order_by("id").values_list("id", flat=True))


def health_nightly_finish(*, as_of: date, finished_by: str = "chord") -> NightlyRun:
    """The nightly finish with a completeness check: recompute the accounts no chunk scored
    (a worker lost mid-chunk whose redelivery has not come yet, a chunk that failed), then
    the roll-up and the signal, once per night: a second call for a finished night does
    nothing (the chord's finish and the morning check may both come)."""
    with transaction.atomic():
        run, _ = NightlyRun.objects.select_for_update().get_or_create(day=as_of)
        if run.finished_at is not None:
            return run
        missing = health_day_missing(as_of=as_of)
        for i in range(0, len(missing), MISSING_CHUNK):
            health_chunk_recompute(as_of=as_of, account_ids=missing[i : i + MISSING_CHUNK])
        if missing:
            logger.warning("health nightly %s: %d accounts had no snapshot; recomputed", as_of, len(missing))
        run.recovered, run.finished_by, run.finished_at = len(missing), finished_by, dj_timezone.now()
        run.save(update_fields=["recovered", "finished_by", "finished_at"])
    health_recompute_finish(as_of=as_of)
    return run


def health_recompute(*, as_of: date | None = None, account_ids: Sequence[int] | None = None) -> RecomputeResult:
    """Recompute in this process: all accounts (chunked) or the given ones, plus their
    parents. Idempotent: the same inputs give the same snapshots."""
    as_of = as_of or today()
    ids = None if account_ids is None else list(account_ids)
    if ids is not None:
        parents = Account.objects.filter(id__in=ids, parent__isnull=False).values_list("parent_id", flat=True)
        ids = sorted(set(ids) | set(parents))
    if ids is not None or as_of < today():
        scored = health_scores_compute(as_of=as_of, account_ids=ids)
        result = RecomputeResult(day=as_of, scored=scored)
        health_parents_rollup(as_of=as_of, account_ids=ids)
        if ids is not None and as_of >= today():
            result.band_changes += health_current_update(as_of=as_of, account_ids=ids, scored=set(scored))
    else:
        result = _every_account_today(as_of)
    signals.scores_recomputed.send(sender=HealthScore, account_ids=result.scored, day=as_of)
    return result


def _every_account_today(as_of: date) -> RecomputeResult:
    """health_recompute of every account for today: each chunk's Account columns are copied
    right after its snapshots are stored (on the writer's thread when pipelined: the
    UPDATE overlaps the next chunks' reads and scoring instead of following the whole run),
    but parents', which wait for the roll-up, as in the nightly's Celery chunks."""
    parents = set(Account.objects.filter(parent__isnull=False).values_list("parent_id", flat=True))
    changes: list[dict] = []

    def chunk_done(chunk_ids: Sequence[int], chunk_scored: list[int]) -> None:
        if parents and any(i in parents for i in chunk_ids):
            chunk_ids = [i for i in chunk_ids if i not in parents]
        changes.extend(health_current_update(as_of=as_of, account_ids=chunk_ids, scored=set(chunk_scored)))

    scored = health_scores_compute(as_of=as_of, chunk_done=chunk_done)
    health_parents_rollup(as_of=as_of, account_ids=None)
    if parents:
        changes += health_current_update(as_of=as_of, account_ids=sorted(parents), scored=set(scored))
    return RecomputeResult(day=as_of, scored=scored, band_changes=changes)
