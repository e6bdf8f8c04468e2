"""Reads for the inbox, the team view, the builder and the account panel. Every function runs a
constant number of queries (related rows are joined or prefetched)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone

from core.choices import Role
from core.models import User

from .choices import OPEN_STATUSES, EmailStatus, TaskStatus
from .models import EmailMessage, Playbook, PlaybookRun, Task

__all__ = [
    "Inbox",
    "account_open_tasks",
    "emails_awaiting_approval",
    "inbox_for",
    "nav_open_task_count",
    "playbook_list",
    "team_load",
    "team_members",
    "team_overdue_tasks",
]


def _today() -> date:
    return timezone.now().date()


def nav_open_task_count(request) -> int | None:
    user = request.user
    if not user.has_role(Role.CSM):
        return None
    return Task.objects.filter(assignee=user).actionable(_today()).count()


def _task_rows(qs: QuerySet) -> QuerySet:
    return qs.select_related("account", "account__owner", "playbook", "assignee")


@dataclass
class Inbox:
    """The inbox's four groups: the first rows of each (at most `limit`), and each group's
    exact size in `counts` (a CSM with thousands of open tasks still sees true numbers)."""

    overdue: list[Task] = field(default_factory=list)
    today: list[Task] = field(default_factory=list)
    upcoming: list[Task] = field(default_factory=list)
    snoozed: list[Task] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def open_count(self) -> int:
        return sum(self.counts.get(key, 0) for key in ("overdue", "today", "upcoming"))

    @property
    def groups(self) -> list[tuple[str, str, list[Task], int]]:
        return [
            (key, label, getattr(self, key), self.counts.get(key, 0))
            for key, label in (
                ("overdue", "Overdue"),
                ("today", "Today"),
                ("upcoming", "Upcoming"),
                ("snoozed", "Snoozed"),
            )
        ]


def inbox_for(
    *, assignee_id: int | None, today: date | None = None, priority: int | None = None, q: str = "", limit: int = 50
) -> Inbox:
    """Open and snoozed tasks of one assignee (None: unassigned): each group's first `limit`
    rows, highest priority first (snoozed: soonest back first), and every group's exact count.
    Five queries, whatever the number of tasks."""
    today = today or _today()
    qs = Task.objects.filter(status__in=OPEN_STATUSES, assignee_id=assignee_id)
    if priority:
        qs = qs.filter(priority=priority)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(account__name__icontains=q) | Q(reason__icontains=q))
    sleeping = Q(status=TaskStatus.SNOOZED, snoozed_until__gt=today)
    due = {"overdue": Q(due_date__lt=today), "today": Q(due_date=today), "upcoming": Q(due_date__gt=today)}
    counts = qs.aggregate(
        snoozed=Count("id", filter=sleeping), **{key: Count("id", filter=~sleeping & when) for key, when in due.items()}
    )
    inbox = Inbox(counts=counts)
    for key, when in due.items():
        if counts[key]:
            rows = _task_rows(qs.filter(when).exclude(sleeping)).order_by("-priority", "due_date", "id")[:limit]
            setattr(inbox, key, list(rows))
    if counts["snoozed"]:
        inbox.snoozed = list(_task_rows(qs.filter(sleeping)).order_by("snoozed_until", "id")[:limit])
    return inbox


def emails_awaiting_approval(*, user) -> QuerySet:
    """Held playbook emails on the user's accounts (managers see every one)."""
    qs = EmailMessage.objects.filter(status=EmailStatus.PENDING_APPROVAL)
    if not user.has_role(Role.MANAGER):
        qs = qs.filter(account__owner=user)
    return qs.select_related("account", "contact", "playbook").order_by("created_at", "id")


def team_members(*, user) -> QuerySet:
    """The people a manager steers: their reports (and themselves); admins, or a manager with
    no reports, see everyone who works accounts."""
    people = User.objects.filter(is_active=True, role__in=[Role.CSM, Role.MANAGER, Role.ADMIN])
    if not user.has_role(Role.ADMIN) and User.objects.filter(manager=user, is_active=True).exists():
        people = people.filter(Q(manager=user) | Q(pk=user.pk))
    return people


def team_load(*, user, today: date | None = None) -> list[User]:
    """Each team member with counts of open, overdue, due today, due this week, snoozed and
    done in the last 7 days, and the oldest overdue due date. One query."""
    today = today or _today()
    actionable = Q(tasks__status=TaskStatus.OPEN) | Q(tasks__status=TaskStatus.SNOOZED, tasks__snoozed_until__lte=today)
    return list(
        team_members(user=user)
        .annotate(
            open_count=Count("tasks", filter=actionable),
            overdue_count=Count("tasks", filter=actionable & Q(tasks__due_date__lt=today)),
            today_count=Count("tasks", filter=actionable & Q(tasks__due_date=today)),
            week_count=Count(
                "tasks",
                filter=actionable & Q(tasks__due_date__gt=today, tasks__due_date__lte=today + timedelta(days=7)),
            ),
            snoozed_count=Count("tasks", filter=Q(tasks__status=TaskStatus.SNOOZED, tasks__snoozed_until__gt=today)),
            done_7d=Count(
                "tasks",
                filter=Q(tasks__status=TaskStatus.DONE, tasks__completed_at__gte=timezone.now() - timedelta(days=7)),
            ),
            urgent_count=Count("tasks", filter=actionable & Q(tasks__priority__gte=3)),
            oldest_overdue=Min("tasks__due_date", filter=actionable & Q(tasks__due_date__lt=today)),
        )
        .order_by("-overdue_count", "-open_count", "first_name", "username")
    )


def team_overdue_tasks(*, user, today: date | None = None, limit: int = 100) -> list[Task]:
    today = today or _today()
    members = team_members(user=user)
    qs = (
        Task.objects.actionable(today)
        .filter(due_date__lt=today)
        .filter(Q(assignee__in=members) | Q(assignee__isnull=True))
    )
    return list(_task_rows(qs).order_by("due_date", "-priority", "id")[:limit])


def account_open_tasks(*, account_id: int, limit: int = 10) -> list[Task]:
    return list(
        Task.objects.filter(account_id=account_id, status__in=OPEN_STATUSES)
        .select_related("assignee", "playbook")
        .order_by("due_date", "-priority", "id")[:limit]
    )


def playbook_list() -> QuerySet:
    """Playbooks with their open tasks, enrolments in the last 30 days and last run."""
    since = timezone.now() - timedelta(days=30)
    return Playbook.objects.annotate(
        open_tasks=Count("tasks", filter=Q(tasks__status__in=OPEN_STATUSES), distinct=True),
        enrolled_30d=Count("enrolments", filter=Q(enrolments__created_at__gte=since), distinct=True),
    ).order_by("-enabled", "name")


def playbook_runs(*, playbook: Playbook, limit: int = 20) -> list[PlaybookRun]:
    return list(playbook.runs.order_by("-started_at", "-id")[:limit])


def latest_run_started(*, playbook_ids) -> dict[int, object]:
    return dict(
        PlaybookRun.objects.filter(playbook_id__in=list(playbook_ids))
        .values("playbook_id")
        .annotate(last=Max("started_at"))
        .values_list("playbook_id", "last")
    )
