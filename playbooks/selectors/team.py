"""Reads for the team page and the people pickers: a manager's reports with their task load, the
team's overdue tasks, the unassigned, who can be given a task."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from core.choices import Role
from core.models import User

from ..choices import TaskStatus
from ..models import Task
from .inbox import _task_rows, _today  # the rows as the inbox loads them, and its "today"

__all__ = [
    "task_workers",
    "team_load",
    "team_members",
    "team_overdue_tasks",
    "unassigned_task_count",
    "user_get",
]


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


def user_get(*, pk: int) -> User | None:
    """A user by id, or None (the inbox of a team member a manager looks at)."""
    return User.objects.filter(pk=pk).first()


def task_workers() -> QuerySet:
    """The people a task can be given to (reassign pickers), by name."""
    return User.objects.filter(is_active=True, role__in=[Role.CSM, Role.MANAGER, Role.ADMIN]).order_by(
        "first_name", "username"
    )


def unassigned_task_count(*, today: date) -> int:
    """Actionable tasks nobody is assigned to (the team page)."""
    return Task.objects.actionable(today).filter(assignee__isnull=True).count()
