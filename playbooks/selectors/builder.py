"""Reads for the playbook builder (admins): the list with its counts, a playbook's runs, latest
enrolments, task statuses and versions, the names an action or condition refers to, the touch
cadence."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, F, IntegerField, Max, OuterRef, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from accounts.models import Account, Persona, TouchCadence

from ..choices import OPEN_STATUSES
from ..models import EmailTemplate, Enrolment, Playbook, PlaybookRun, PlaybookVersion, Task, TaskTemplate

__all__ = [
    "account_names",
    "action_target_names",
    "email_templates",
    "latest_run_started",
    "persona_names",
    "playbook_enrolments_recent",
    "playbook_list",
    "playbook_runs",
    "playbook_task_status_counts",
    "playbook_versions",
    "run_latest_enrolments",
    "task_templates",
    "touch_cadence_days",
]


def _count_per_playbook(qs: QuerySet) -> Coalesce:
    """How many rows of `qs` belong to the outer playbook: a correlated COUNT(*) on one table,
    which an index on (playbook, <the filtered column>) answers alone; 0 when none."""
    counted = qs.filter(playbook=OuterRef("pk")).order_by().values("playbook").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def playbook_list() -> QuerySet:
    """Playbooks with their open tasks and enrolments in the last 30 days. Each count is its own
    subquery on one table (joining both tables and counting distinct ids multiplied every
    playbook's tasks by its enrolments: more than 30 s at 100k accounts). One query."""
    since = timezone.now() - timedelta(days=30)
    return Playbook.objects.annotate(
        open_tasks=_count_per_playbook(Task.objects.filter(status__in=OPEN_STATUSES)),
        enrolled_30d=_count_per_playbook(Enrolment.objects.filter(created_at__gte=since)),
    ).order_by("-enabled", "name")


def playbook_runs(*, playbook: Playbook, limit: int = 20) -> list[PlaybookRun]:
    return list(playbook.runs.order_by("-started_at", "-id")[:limit])


def run_latest_enrolments(*, run_ids: list[int], limit: int) -> dict[int, list[Enrolment]]:
    """Each run's latest `limit` enrolments (newest first) with their account, by run id. Two
    queries: the ids, ranked within each run on the enrolment table alone, then those rows; a
    run of thousands costs its ids, not thousands of rows and accounts."""
    if not run_ids:
        return {}
    newest_first = (F("created_at").desc(), F("id").desc())
    ids = list(
        Enrolment.objects.filter(run_id__in=run_ids)
        .annotate(rank=Window(RowNumber(), partition_by=F("run_id"), order_by=newest_first))
        .filter(rank__lte=limit)
        .values_list("pk", flat=True)
    )
    rows: dict[int, list[Enrolment]] = {}
    for enrolment in Enrolment.objects.filter(pk__in=ids).select_related("account").order_by(*newest_first):
        if enrolment.run_id is not None:  # always: filtered on the runs
            rows.setdefault(enrolment.run_id, []).append(enrolment)
    return rows


def latest_run_started(*, playbook_ids) -> dict[int, object]:
    return dict(
        PlaybookRun.objects.filter(playbook_id__in=list(playbook_ids))
        .values("playbook_id")
        .annotate(last=Max("started_at"))
        .values_list("playbook_id", "last")
    )


def task_templates() -> QuerySet:
    return TaskTemplate.objects.all()


def email_templates() -> QuerySet:
    return EmailTemplate.objects.all()


def action_target_names() -> dict:
    """{(kind, id): name} of everything an action can name: task and email templates, surveys,
    success maps (the builder's one-line description of each action)."""
    names = {("task", t.pk): t.name for t in TaskTemplate.objects.all()}
    names.update({("email", t.pk): t.name for t in EmailTemplate.objects.all()})
    try:
        from surveys.models import Survey

        names.update({("survey", s.pk): s.name for s in Survey.objects.all()})
    except ImportError:
        pass
    from onboarding.models import SuccessMap

    names.update({("map", m.pk): m.name for m in SuccessMap.objects.all()})
    return names


def persona_names() -> dict[int, str]:
    return dict(Persona.objects.values_list("pk", "name"))


def account_names(*, account_ids) -> dict[int, str]:
    return dict(Account.objects.filter(pk__in=account_ids).values_list("pk", "name"))


def playbook_enrolments_recent(*, playbook: Playbook, limit: int = 25) -> list[Enrolment]:
    return list(
        Enrolment.objects.select_related("account").order_by("-created_at", "-id").filter(playbook=playbook)[:limit]
    )


def playbook_task_status_counts(*, playbook: Playbook) -> list[tuple[str, int]]:
    """(status, number of the playbook's tasks in it), by status."""
    return list(playbook.tasks.order_by("status").values_list("status").annotate(n=Count("id")))


def playbook_versions(*, playbook: Playbook, limit: int | None = None):
    """The playbook's versions, newest first (the model's ordering), with who changed them."""
    versions = PlaybookVersion.objects.filter(playbook=playbook).select_related("changed_by")
    return versions[:limit] if limit is not None else list(versions)


def touch_cadence_days() -> dict[str, int]:
    """{tier: every N days} (the touch cadence form)."""
    return TouchCadence.days_by_tier()
