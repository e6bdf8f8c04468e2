"""Evaluating a playbook: trigger query -> conditions (churned accounts out unless the playbook
targets them) -> cooldown / cap / open-task flags -> enrolments inserted with ON CONFLICT DO
NOTHING -> actions for the enrolments this run inserted -> the run log.

Set-based: one query fetches every matching row with its flags, whatever the number of
accounts; writes are bulk per chunk of enrolments. Exactly once: the enrolment's unique key
(playbook, account, occurrence) and the tasks' partial unique index decide, in the database,
what a re-run or a concurrent worker may still do (nothing). See docs/playbooks.md.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.choices import LifecycleStage
from accounts.models import Account

from .candidate_sql import candidate_rows
from .choices import OPEN_STATUSES, RunSource, RunStatus
from .conditions import conditions_apply
from .models import Enrolment, Playbook, PlaybookRun, Task
from .sql import bookkeeping_writes, enrolment_outcomes_store
from .triggers import EvalContext, Match, day_end, get_trigger

__all__ = ["EvalResult", "PreviewRow", "playbook_evaluate", "run_records_store"]

logger = logging.getLogger(__name__)

CHUNK = 500  # enrolments per transaction
DETAILS_SAMPLE = 100  # skipped rows kept on the run for "why not?"

SKIP_OPEN_TASK = "open_task"
SKIP_COOLDOWN = "cooldown"
SKIP_CAP = "cap"
SKIP_ENROLLED = "already_enrolled"
SKIP_LABELS = {
    SKIP_OPEN_TASK: gettext_lazy("a task from this playbook is still open"),
    SKIP_COOLDOWN: gettext_lazy("in cooldown"),
    SKIP_CAP: gettext_lazy("re-enrolment cap reached"),
    SKIP_ENROLLED: gettext_lazy("this occurrence already enrolled"),
}


@dataclass
class PreviewRow:
    account_id: int
    account_name: str
    key: str
    reason: str
    status: str  # "would enrol" or a skip label
    reason_data: dict = field(default_factory=dict)


@dataclass
class EvalResult:
    playbook: Playbook
    run: PlaybookRun | None = None
    matched: int = 0
    enrolled: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    preview: list[PreviewRow] = field(default_factory=list)
    unavailable: bool = False

    @property
    def skipped_labelled(self) -> list[tuple[str, int]]:
        return [(SKIP_LABELS.get(k, k), n) for k, n in self.skipped.items()]


def _context_now(as_of: date, now: datetime | None) -> datetime:
    """Evaluate "as of the end of `as_of`", but never in the future."""
    now = now or timezone.now()
    return min(now, day_end(as_of) - timedelta(microseconds=1))


def _candidate_query(playbook: Playbook, trigger, params: dict, ctx: EvalContext):
    """The values() queryset of the trigger's rows with their flags (None: data not installed)."""
    qs = trigger.queryset(params, ctx)
    if qs is None:
        return None
    path = trigger.get_account_path(ctx)
    account_ref = OuterRef(f"{path}__id") if path else OuterRef("pk")
    qs = conditions_apply(qs, playbook.conditions, account_path=path)
    if not playbook.targets_churned:
        # Lost customers are out of every audience but a win-back playbook's (docs/playbooks.md).
        qs = qs.exclude(**{f"{path}__lifecycle_stage" if path else "lifecycle_stage": LifecycleStage.CHURNED})
    if ctx.account_ids is not None:
        qs = qs.filter(**{f"{path}__in" if path else "pk__in": ctx.account_ids})
    flags = {"_acc": F(f"{path}__id") if path else F("pk")}
    if playbook.cooldown_days:
        cutoff = ctx.now - timedelta(days=playbook.cooldown_days)
        flags["_cooldown"] = Exists(
            Enrolment.objects.filter(playbook_id=playbook.pk, account_id=account_ref, created_at__gt=cutoff)
        )
    if playbook.max_enrolments:
        count = (
            Enrolment.objects.filter(playbook_id=playbook.pk, account_id=account_ref)
            .order_by()
            .values("account_id")
            .annotate(n=Count("id"))
            .values("n")[:1]
        )
        flags["_enrolments"] = Coalesce(Subquery(count, output_field=IntegerField()), Value(0))
    if playbook.has_task_action:
        flags["_open"] = Exists(
            Task.objects.filter(playbook_id=playbook.pk, account_id=account_ref, status__in=OPEN_STATUSES)
        )
    return qs.annotate(**flags).values(*trigger.fields, *flags)


def _candidates(playbook: Playbook, ctx: EvalContext):
    """[(Match, skip_reason | None)], one per account (the trigger's first row for it). The
    compiled query may be kept for the next run (playbooks.candidate_sql)."""
    trigger = get_trigger(playbook.trigger_type)
    params = trigger.clean(playbook.trigger_params)
    trigger.prepare(params, ctx)

    def build(c: EvalContext):
        return _candidate_query(playbook, trigger, params, c)

    rows = candidate_rows(playbook, trigger, ctx, build)
    if rows is None:
        return None
    out: list[tuple[Match, str | None]] = []
    seen: set[int] = set()
    for row in rows:
        if row["_acc"] in seen:
            continue
        match = trigger.match(row, params, ctx)
        if match is None:
            continue
        seen.add(row["_acc"])
        skip = None
        if row.get("_open"):
            skip = SKIP_OPEN_TASK
        elif row.get("_cooldown"):
            skip = SKIP_COOLDOWN
        elif playbook.max_enrolments and row["_enrolments"] >= playbook.max_enrolments:
            skip = SKIP_CAP
        out.append((match, skip))
    return out


def playbook_evaluate(
    *,
    playbook: Playbook,
    as_of: date | None = None,
    source: str = RunSource.MANUAL,
    account_ids: list[int] | None = None,
    event: dict | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
    quiet_runs: list[PlaybookRun] | None = None,
) -> EvalResult:
    """Evaluate one playbook. `dry_run` writes nothing and returns the preview rows. With
    `quiet_runs`, a finished run that enrolled nobody is appended there unsaved, for the caller
    to write with others' (run_records_store), instead of being written here."""
    as_of = as_of or timezone.now().date()
    ctx = EvalContext(
        as_of=as_of,
        now=_context_now(as_of, now),
        playbook=playbook,
        account_ids=list(account_ids) if account_ids is not None else None,
        event=event,
        dry_run=dry_run,
    )
    result = EvalResult(playbook=playbook)
    if dry_run:
        return _preview(playbook, ctx, result)

    # The run record is bookkeeping: written with the WAL flush deferred (bookkeeping_writes), and,
    # for an evaluation that enrols nobody (most of those a health refresh queues), once at the
    # end together with last_run_at: one commit instead of three (docs/decisions.md).
    started_at = timezone.now()
    run = PlaybookRun(
        playbook=playbook,
        source=source,
        as_of=as_of,
        playbook_version=playbook.version,
        account_ids=ctx.account_ids,
        started_at=started_at,
    )
    result.run = run
    try:
        with transaction.atomic():
            candidates = _candidates(playbook, ctx)
        if candidates is None:
            result.unavailable = True
            run.details = [{"note": "The data this trigger reads is not available (its app is not installed)."}]
        elif any(skip is None for _match, skip in candidates):
            with bookkeeping_writes():
                run.save(force_insert=True)
            _enrol_and_act(playbook, ctx, run, candidates, result)
        else:
            _count_skips(run, candidates, result)
    except Exception as exc:
        logger.exception("playbook %s failed", playbook.pk)
        run.status = RunStatus.FAILED
        run.error = f"{type(exc).__name__}: {exc}"
        run.finished_at = timezone.now()
        with bookkeeping_writes():
            if run.pk is None:
                run.save(force_insert=True)
            else:
                run.save(update_fields=["status", "error", "finished_at"])
        raise
    run.matched = result.matched
    run.enrolled = result.enrolled
    run.skipped = result.skipped
    run.status = RunStatus.DONE
    run.finished_at = timezone.now()
    if run.pk is None and quiet_runs is not None:
        quiet_runs.append(run)
        return result
    with bookkeeping_writes():
        if run.pk is None:
            run.save(force_insert=True)
        else:
            run.save(update_fields=["matched", "enrolled", "skipped", "details", "status", "finished_at"])
        Playbook.objects.filter(pk=playbook.pk).update(last_run_at=run.finished_at)
    return result


def run_records_store(runs: list[PlaybookRun]) -> None:
    """Write finished runs that enrolled nobody (playbook_evaluate's `quiet_runs`) and their
    playbooks' `last_run_at` in one bookkeeping transaction: three statements for any number."""
    if not runs:
        return
    with bookkeeping_writes():
        PlaybookRun.objects.bulk_create(runs)
        last = {run.playbook_id: run.finished_at for run in runs}
        Playbook.objects.filter(pk__in=list(last)).update(
            last_run_at=Case(*(When(pk=pk, then=Value(at)) for pk, at in last.items()))
        )


def _count_skip(result: EvalResult, reason: str, n: int = 1) -> None:
    result.skipped[reason] = result.skipped.get(reason, 0) + n


def _count_skips(run, candidates, result) -> list[Match]:
    """Count the skipped candidates on the result (a sample on the run); the others, to enrol."""
    result.matched = len(candidates)
    todo: list[Match] = []
    for match, skip in candidates:
        if skip:
            _count_skip(result, skip)
            if len(run.details) < DETAILS_SAMPLE:
                run.details.append({"account_id": match.account_id, "reason": match.reason, "skipped": skip})
        else:
            todo.append(match)
    return todo


def _enrol_and_act(playbook, ctx, run, candidates, result) -> None:
    from .actions import actions_execute

    todo = _count_skips(run, candidates, result)
    for i in range(0, len(todo), CHUNK):
        chunk = todo[i : i + CHUNK]
        with transaction.atomic():
            Enrolment.objects.bulk_create(
                [
                    Enrolment(
                        playbook=playbook,
                        account_id=m.account_id,
                        occurrence_key=m.key[:191],
                        run=run,
                        reason=m.reason,
                        reason_data=m.reason_data,
                        signal=m.signal,
                        # ctx.now, not the wall clock: a run for a past day (backfill) and its
                        # cooldown check agree on when the enrolment happened.
                        created_at=ctx.now,
                    )
                    for m in chunk
                ],
                ignore_conflicts=True,
            )
            # ON CONFLICT DO NOTHING: the rows carrying this run's id are exactly the ones
            # this run inserted; anything else was already enrolled (by a re-run or a peer).
            created = list(
                Enrolment.objects.filter(run=run, account_id__in=[m.account_id for m in chunk]).select_related(None)
            )
            if len(created) < len(chunk):
                _count_skip(result, SKIP_ENROLLED, len(chunk) - len(created))
            if not created:
                continue
            accounts = Account.objects.select_related("owner", "owner__manager").in_bulk(
                [e.account_id for e in created]
            )
            outcomes = actions_execute(playbook=playbook, enrolments=created, accounts=accounts, ctx=ctx)
            for enrolment in created:
                enrolment.outcome = outcomes.get(enrolment.pk, [])
            enrolment_outcomes_store(created)
            result.enrolled += len(created)


def _preview(playbook: Playbook, ctx: EvalContext, result: EvalResult) -> EvalResult:
    with transaction.atomic():
        candidates = _candidates(playbook, ctx)
    if candidates is None:
        result.unavailable = True
        return result
    result.matched = len(candidates)
    enrolled = set(
        Enrolment.objects.filter(
            playbook_id=playbook.pk, occurrence_key__in=[m.key for m, _ in candidates]
        ).values_list("account_id", "occurrence_key")
    )
    names = dict(Account.objects.filter(pk__in=[m.account_id for m, _ in candidates[:200]]).values_list("pk", "name"))
    for match, skip in candidates:
        if skip is None and (match.account_id, match.key) in enrolled:
            skip = SKIP_ENROLLED
        if skip:
            _count_skip(result, skip)
        else:
            result.enrolled += 1
        if len(result.preview) < 200:
            result.preview.append(
                PreviewRow(
                    account_id=match.account_id,
                    account_name=names.get(match.account_id, f"#{match.account_id}"),
                    key=match.key,
                    reason=match.reason,
                    reason_data=match.reason_data,
                    status=SKIP_LABELS[skip] if skip else "would enrol",
                )
            )
    return result
