"""Reads for the inbox, the team view, the builder and the account panel. Every function runs a
constant number of queries (related rows are joined or prefetched)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, F, IntegerField, Max, Min, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from accounts.models import Account, Persona, TouchCadence
from core.choices import Role
from core.models import User

from .choices import OPEN_STATUSES, EmailStatus, TaskStatus
from .models import EmailMessage, EmailTemplate, Enrolment, Playbook, PlaybookRun, PlaybookVersion, Task, TaskTemplate

__all__ = [
    "INBOX_PAGE",
    "Inbox",
    "InboxGroup",
    "account_names",
    "account_open_tasks",
    "accounts_by_pk",
    "action_target_names",
    "email_templates",
    "emails_awaiting_approval",
    "inbox_counts",
    "inbox_for",
    "inbox_group_page",
    "inbox_row",
    "inbox_rows",
    "latest_run_started",
    "nav_open_task_count",
    "open_task_ids",
    "persona_names",
    "playbook_enrolments_recent",
    "playbook_list",
    "playbook_runs",
    "playbook_task_status_counts",
    "playbook_versions",
    "run_latest_enrolments",
    "task_account_get",
    "task_templates",
    "task_workers",
    "team_load",
    "team_members",
    "team_overdue_tasks",
    "touch_cadence_days",
    "unassigned_task_count",
    "user_get",
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


# What an inbox row shows (templates/playbooks/task_inbox.html#rows): loading only these
# columns skips the JSON and text columns of the task, its playbook and the users.
INBOX_ROW_FIELDS = (
    "title",
    "reason",
    "priority",
    "due_date",
    "status",
    "snoozed_until",
    "outcome_note",
    "account_id",
    "playbook_id",
    "assignee_id",
    "account__name",
    "account__mrr",
    "account__currency",
    "account__tier",
    "account__health_score",
    "account__health_band",
    "account__health_change_7d",
    "account__renewal_date",
    "playbook__name",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
)


def inbox_rows(qs: QuerySet) -> QuerySet:
    """Tasks with what an inbox row shows, in one query."""
    return qs.select_related("account", "playbook", "assignee").only(*INBOX_ROW_FIELDS)


# The inbox renders this many rows of each group; "Show more" loads the next ones (htmx).
INBOX_PAGE = 25
INBOX_GROUPS = (("overdue", "Overdue"), ("today", "Today"), ("upcoming", "Upcoming"), ("snoozed", "Snoozed"))


@dataclass
class InboxGroup:
    key: str
    label: str
    tasks: list[Task]
    count: int

    @property
    def more(self) -> int:
        """How many of the group's tasks are not shown yet."""
        return max(0, self.count - len(self.tasks))


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
    def groups(self) -> list[InboxGroup]:
        return [InboxGroup(key, label, getattr(self, key), self.counts.get(key, 0)) for key, label in INBOX_GROUPS]


def _inbox_tasks(*, assignee_id: int | None, priority: int | None, q: str) -> QuerySet:
    qs = Task.objects.filter(status__in=OPEN_STATUSES, assignee_id=assignee_id)
    if priority:
        qs = qs.filter(priority=priority)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(account__name__icontains=q) | Q(reason__icontains=q))
    return qs


def _sleeping(today: date) -> Q:
    return Q(status=TaskStatus.SNOOZED, snoozed_until__gt=today)


def _group_filter(key: str, today: date) -> Q:
    """Which open tasks belong to a group: snoozed ones until their day, the rest by due date."""
    if key == "snoozed":
        return _sleeping(today)
    due = {"overdue": Q(due_date__lt=today), "today": Q(due_date=today), "upcoming": Q(due_date__gt=today)}[key]
    return ~_sleeping(today) & due


def _group_order(key: str) -> tuple[str, ...]:
    """Highest priority first (snoozed: soonest back first); the id makes the order total, so a
    page can continue after its last row (keyset)."""
    return ("snoozed_until", "id") if key == "snoozed" else ("-priority", "due_date", "id")


def _after(key: str, last: Task) -> Q:
    """Rows after `last` in the group's order."""
    if key == "snoozed":
        return Q(snoozed_until__gt=last.snoozed_until) | Q(snoozed_until=last.snoozed_until, id__gt=last.pk)
    return (
        Q(priority__lt=last.priority)
        | Q(priority=last.priority, due_date__gt=last.due_date)
        | Q(priority=last.priority, due_date=last.due_date, id__gt=last.pk)
    )


def inbox_for(
    *,
    assignee_id: int | None,
    today: date | None = None,
    priority: int | None = None,
    q: str = "",
    limit: int = INBOX_PAGE,
) -> Inbox:
    """Open and snoozed tasks of one assignee (None: unassigned): each group's first `limit`
    rows, highest priority first (snoozed: soonest back first), and every group's exact count.
    At most five queries, whatever the number of tasks."""
    today = today or _today()
    qs = _inbox_tasks(assignee_id=assignee_id, priority=priority, q=q)
    counts = inbox_counts(assignee_id=assignee_id, today=today, priority=priority, q=q)
    inbox = Inbox(counts=counts)
    for key, _ in INBOX_GROUPS:
        if counts[key]:
            setattr(inbox, key, _first_rows(qs.filter(_group_filter(key, today)), key, limit))
    return inbox


def inbox_counts(
    *, assignee_id: int | None, today: date | None = None, priority: int | None = None, q: str = ""
) -> dict[str, int]:
    """Each inbox group's exact size ({"overdue": 3, "today": 1, "upcoming": 9, "snoozed": 0}), one query."""
    today = today or _today()
    qs = _inbox_tasks(assignee_id=assignee_id, priority=priority, q=q)
    return qs.aggregate(**{key: Count("id", filter=_group_filter(key, today)) for key, _ in INBOX_GROUPS})


def _first_rows(qs: QuerySet, key: str, limit: int) -> list[Task]:
    """The group's first `limit` rows: the database picks their ids on the task table alone,
    then joins the account, playbook and assignee for those rows only (joining first made it
    join every task of a group of thousands before keeping 25)."""
    order = _group_order(key)
    top = qs.order_by(*order).values("pk")[:limit]
    return list(inbox_rows(Task.objects.filter(pk__in=top)).order_by(*order))


def inbox_group_page(
    *,
    assignee_id: int | None,
    key: str,
    after_id: int,
    today: date | None = None,
    priority: int | None = None,
    q: str = "",
    limit: int = INBOX_PAGE,
) -> InboxGroup:
    """The next `limit` rows of one inbox group after the task `after_id` (the last row shown),
    in the group's order; `count` is how many rows follow that task (these included). Three
    queries. A task that has left the group since (done, snoozed) still marks the place."""
    if key not in dict(INBOX_GROUPS):
        raise ValueError(f"unknown inbox group {key!r}")
    today = today or _today()
    last = Task.objects.filter(pk=after_id).only("priority", "due_date", "snoozed_until").first()
    qs = _inbox_tasks(assignee_id=assignee_id, priority=priority, q=q).filter(_group_filter(key, today))
    if last is not None and (key != "snoozed" or last.snoozed_until is not None):
        qs = qs.filter(_after(key, last))
    return InboxGroup(
        key=key,
        label=dict(INBOX_GROUPS)[key],
        tasks=_first_rows(qs, key, limit),
        count=qs.count(),
    )


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


# Section: what the pages read besides the inbox


def user_get(*, pk: int) -> User | None:
    """A user by id, or None (the inbox of a team member a manager looks at)."""
    return User.objects.filter(pk=pk).first()


def task_workers() -> QuerySet:
    """The people a task can be given to (reassign pickers), by name."""
    return User.objects.filter(is_active=True, role__in=[Role.CSM, Role.MANAGER, Role.ADMIN]).order_by(
        "first_name", "username"
    )


def inbox_row(*, task_id: int) -> Task:
    """One task as an inbox row shows it (after a row action)."""
    return inbox_rows(Task.objects.filter(pk=task_id)).get()


def open_task_ids(*, task_ids: list[int]) -> list[int]:
    """Those of `task_ids` that are still open (what a bulk action may act on)."""
    return list(Task.objects.filter(pk__in=task_ids, status__in=OPEN_STATUSES).values_list("pk", flat=True))


def unassigned_task_count(*, today: date) -> int:
    """Actionable tasks nobody is assigned to (the team page)."""
    return Task.objects.actionable(today).filter(assignee__isnull=True).count()


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


def task_account_get(*, user, pk: int) -> Account | None:
    """An account `user` may see, by id, or None (the account a "New task" form is fixed to)."""
    return Account.objects.visible_to(user).filter(pk=pk).first()


def accounts_by_pk(*, pk: int) -> list[Account]:
    """The account with this id, as a list (empty when there is none)."""
    return list(Account.objects.filter(pk=pk))
