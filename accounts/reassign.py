"""Bulk reassignment (issue 17): move accounts to another owner, optionally with what hangs on
them in the floors above (open tasks, success plans, renewal opportunities), one "change" entry
per account on its timeline, and an undo of the last move.

The floors above register what moves with an account here, from their `AppConfig.ready()`:

    register_reassign_step(ReassignStep(key="tasks", label=_("Open tasks"), apply=..., undo=...))

`apply(*, previous_owners, to_owner_id)` gets {account id: previous owner id or None} of one
chunk of accounts that moved and must hand over what it owns on them, returning a record
{str(previous holder id): [ids of the rows it moved]}; `undo(*, record, to_owner_id)` gives the
rows of `record` still held by `to_owner_id` back and returns how many (docs/architecture.md,
"Registrations").

Speed: accounts move in chunks of `CHUNK`, each one transaction of a few statements (read the
chunk, one UPDATE per previous owner, one multi-row INSERT of timeline entries, each step's
UPDATEs, the job's progress), whatever the number of accounts. At most `INLINE_LIMIT` accounts
move in the request; more are a Celery task the page follows (`ReassignmentJob.done` of
`total`). A chunk commits with the job's progress, so a retried task resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import Role
from core.db import IN_CHUNK, chunked
from core.models import User

from .access import accounts_writable
from .choices import ActivityKind, ReassignmentStatus
from .models import Account, Activity, ReassignmentJob

__all__ = [
    "CHUNK",
    "INLINE_LIMIT",
    "ReassignStep",
    "reassign_steps",
    "reassignment_last_undoable",
    "reassignment_run",
    "reassignment_start",
    "reassignment_undo",
    "register_reassign_step",
]

CHUNK = IN_CHUNK  # 900 accounts: one IN (...) below SQLite's parameter limit
INLINE_LIMIT = 200
NONE_KEY = "none"  # the record key of "no previous owner"


@dataclass(frozen=True)
class ReassignStep:
    key: str
    label: Any  # lazily translated
    apply: Callable[..., dict[str, list[int]]]
    undo: Callable[..., int]
    order: int = 100


_STEPS: dict[str, ReassignStep] = {}


def register_reassign_step(step: ReassignStep) -> None:
    """Called from an app's `ready()`; registering a key again replaces it (tests reload apps)."""
    _STEPS[step.key] = step


def reassign_steps() -> list[ReassignStep]:
    return sorted(_STEPS.values(), key=lambda s: (s.order, s.key))


def _key(user_id: int | None) -> str:
    return NONE_KEY if user_id is None else str(user_id)


def _unkey(key: str) -> int | None:
    return None if key == NONE_KEY else int(key)


def _merge(into: dict[str, list[int]], record: dict[str, list[int]]) -> None:
    for holder, ids in record.items():
        into.setdefault(holder, []).extend(ids)


# Section: start


def reassignment_start(
    *, user: User, to_owner: User, account_ids: list[int], steps: list[str] | None = None
) -> ReassignmentJob:
    """Record a reassignment of the accounts `user` may write among `account_ids` to
    `to_owner`, with the chosen registered `steps`; run it now (up to INLINE_LIMIT accounts) or
    queue it (after commit). PermissionDenied when the user may write none of them."""
    steps = list(dict.fromkeys(steps or []))
    unknown = [s for s in steps if s not in _STEPS]
    if unknown:
        raise ValidationError({"steps": _("Unknown: %(keys)s") % {"keys": ", ".join(unknown)}})
    if not (to_owner.is_active and to_owner.has_role(Role.CSM)):
        raise ValidationError({"to_owner": _("Choose an active CSM, manager or admin.")})
    wanted = sorted(set(account_ids))
    if not wanted:
        raise ValidationError({"account_ids": _("Select at least one account.")})
    ids: list[int] = []
    for part in chunked(wanted):
        ids += accounts_writable(user, Account.objects.filter(pk__in=list(part))).values_list("pk", flat=True)
    ids.sort()
    if not ids:
        raise PermissionDenied(_("None of these accounts is in your book."))
    job = ReassignmentJob.objects.create(
        to_owner=to_owner, created_by=user, account_ids=ids, steps=steps, total=len(ids)
    )
    job.skipped = len(wanted) - len(ids)  # type: ignore[attr-defined]
    if len(ids) <= INLINE_LIMIT:
        reassignment_run(job_id=job.pk)
        job.refresh_from_db()
    else:
        from .tasks import reassignment_run_task

        transaction.on_commit(lambda: reassignment_run_task.delay(job.pk))
    return job


# Section: run (idempotent, resumable)


def _owner_label(users: dict[int, User], user_id: int | None) -> str:
    user = users.get(user_id) if user_id is not None else None
    return (user.get_full_name() or user.username) if user else ""


def _move_chunk(job: ReassignmentJob, chunk: list[int], users: dict[int, User], now) -> None:
    rows = list(Account.objects.filter(pk__in=chunk).exclude(owner_id=job.to_owner_id).values_list("pk", "owner_id"))
    previous = dict(rows)
    by_owner: dict[str, list[int]] = {}
    for pk, owner_id in rows:
        by_owner.setdefault(_key(owner_id), []).append(pk)
    if previous:
        Account.objects.filter(pk__in=list(previous)).update(owner_id=job.to_owner_id, updated_at=now)
    to_label = _owner_label(users, job.to_owner_id)
    entries = [
        Activity(
            account_id=pk,
            kind=ActivityKind.CHANGE,
            author_id=job.created_by_id,
            subject="Changed Owner",
            body=f"Owner: {_owner_label(users, owner_id) or '—'} → {to_label}",
            occurred_at=now,
            metadata={
                "changes": [
                    {"field": "owner", "label": "Owner", "before": _owner_label(users, owner_id), "after": to_label}
                ],
                "source": "reassignment",
                "reassignment_id": job.pk,
            },
        )
        for pk, owner_id in rows
    ]
    Activity.objects.bulk_create(entries, batch_size=CHUNK)
    _merge(job.moved, by_owner)
    for key in job.steps:
        record = _STEPS[key].apply(previous_owners=previous, to_owner_id=job.to_owner_id) if previous else {}
        _merge(job.step_records.setdefault(key, {}), record)
    job.done = min(job.total, job.done + len(chunk))


def reassignment_run(*, job_id: int) -> ReassignmentJob | None:
    """Move the job's accounts from where it stopped, a chunk per transaction. Safe to call
    again: a finished job is left alone, a chunk already committed is not redone."""
    job = ReassignmentJob.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return job
    ReassignmentJob.objects.filter(pk=job.pk).update(status=ReassignmentStatus.RUNNING)
    users = {u.pk: u for u in User.objects.all()}  # the team: small; labels for the timeline
    try:
        while job.done < job.total:
            with transaction.atomic():
                job = ReassignmentJob.objects.select_for_update().get(pk=job_id)
                if job.done >= job.total or job.status != ReassignmentStatus.RUNNING:
                    break
                chunk = job.account_ids[job.done : job.done + CHUNK]
                _move_chunk(job, chunk, users, timezone.now())
                job.save(update_fields=["done", "moved", "step_records"])
    except Exception as exc:
        ReassignmentJob.objects.filter(pk=job_id).update(
            status=ReassignmentStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    ReassignmentJob.objects.filter(pk=job_id, status=ReassignmentStatus.RUNNING).update(
        status=ReassignmentStatus.DONE, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


# Section: undo


def reassignment_last_undoable(*, user: User) -> ReassignmentJob | None:
    """The user's last reassignment, when it finished and was not undone yet (only the last one
    can be undone: an older one may have been overtaken by later moves)."""
    last = ReassignmentJob.objects.filter(created_by=user).order_by("-created_at", "-id").first()
    return last if last is not None and last.status == ReassignmentStatus.DONE else None


@transaction.atomic
def reassignment_undo(*, job: ReassignmentJob, user: User) -> int:
    """Give every account of `job` still owned by its new owner back to its previous owner, and
    each step's rows back to their previous holders; one timeline entry per account given back.
    Returns the number of accounts given back."""
    job = ReassignmentJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ReassignmentStatus.DONE:
        raise ValidationError({"job": _("Only a finished reassignment that was not undone can be undone.")})
    if job.created_by_id != user.pk and not user.has_role(Role.ADMIN):
        raise PermissionDenied(_("Only who made a reassignment (or an admin) undoes it."))
    last = reassignment_last_undoable(user=job.created_by) if job.created_by is not None else None
    if last is None or last.pk != job.pk:
        raise ValidationError({"job": _("Only the last reassignment can be undone.")})
    users = {u.pk: u for u in User.objects.all()}
    now = timezone.now()
    to_label = _owner_label(users, job.to_owner_id)
    back = 0
    entries: list[Activity] = []
    for key, ids in job.moved.items():
        owner_id = _unkey(key)
        for start in range(0, len(ids), CHUNK):
            part = ids[start : start + CHUNK]
            still = list(Account.objects.filter(pk__in=part, owner_id=job.to_owner_id).values_list("pk", flat=True))
            if not still:
                continue
            Account.objects.filter(pk__in=still).update(owner_id=owner_id, updated_at=now)
            back += len(still)
            label = _owner_label(users, owner_id)
            entries += [
                Activity(
                    account_id=pk,
                    kind=ActivityKind.CHANGE,
                    author_id=user.pk,
                    subject="Changed Owner",
                    body=f"Owner: {to_label} → {label or '—'} (reassignment undone)",
                    occurred_at=now,
                    metadata={
                        "changes": [{"field": "owner", "label": "Owner", "before": to_label, "after": label}],
                        "source": "undo",
                        "reassignment_id": job.pk,
                    },
                )
                for pk in still
            ]
    Activity.objects.bulk_create(entries, batch_size=CHUNK)
    for key, record in job.step_records.items():
        step = _STEPS.get(key)
        if step is not None and record:
            step.undo(record=record, to_owner_id=job.to_owner_id)
    job.status = ReassignmentStatus.UNDONE
    job.undone_at = now
    job.save(update_fields=["status", "undone_at"])
    return back
