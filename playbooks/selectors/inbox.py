"""Reads for the task inbox: the groups (overdue / today / upcoming / snoozed) with their exact
counts and first rows, a group's next rows ("Show more"), one row after an action, the emails
awaiting approval, and the sidebar's task count. A constant number of queries each."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext_lazy

from core.choices import Role

from ..choices import OPEN_STATUSES, EmailStatus, TaskStatus
from ..models import EmailMessage, Task
from ..sql import actionable_task_count

__all__ = [
    "INBOX_GROUPS",
    "INBOX_PAGE",
    "INBOX_ROW_FIELDS",
    "Inbox",
    "InboxGroup",
    "emails_awaiting_approval",
    "inbox_counts",
    "inbox_for",
    "inbox_group_page",
    "inbox_row",
    "inbox_rows",
    "nav_open_task_count",
    "open_task_ids",
]


def _today() -> date:
    return timezone.now().date()


def nav_open_task_count(request) -> int | None:
    user = request.user
    if not user.has_role(Role.CSM):
        return None
    return actionable_task_count(assignee_id=user.pk, today=_today())


def _task_rows(qs: QuerySet) -> QuerySet:
    return qs.select_related("account", "account__owner", "playbook", "assignee")


# What an inbox row shows (templates/playbooks/task_inbox.html#rows): loading only these
# columns skips the JSON and text columns of the task, its playbook and the users.
INBOX_ROW_FIELDS = (
    "title",
    "reason",
    "reason_data",
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


INBOX_GROUPS = (
    ("overdue", gettext_lazy("Overdue")),
    ("today", gettext_lazy("Today")),
    ("upcoming", gettext_lazy("Upcoming")),
    ("snoozed", gettext_lazy("Snoozed")),
)


@dataclass
class InboxGroup:
    key: str
    label: str | StrPromise  # a lazy translation, rendered in the reader's language
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
    At most five queries, whatever the number of tasks; two when every group fits in `limit`
    rows (the usual inbox: one query reads all its rows, `_split_groups` sorts them out)."""
    today = today or _today()
    qs = _inbox_tasks(assignee_id=assignee_id, priority=priority, q=q)
    counts = inbox_counts(assignee_id=assignee_id, today=today, priority=priority, q=q)
    inbox = Inbox(counts=counts)
    wanted = [key for key, _ in INBOX_GROUPS if counts[key]]
    if wanted and all(counts[key] <= limit for key in wanted):
        for key, tasks in _split_groups(inbox_rows(qs).order_by(), today).items():
            setattr(inbox, key, tasks[:limit])  # [:limit]: a task added since the counts
        return inbox
    for key in wanted:
        setattr(inbox, key, _first_rows(qs.filter(_group_filter(key, today)), key, limit))
    return inbox


def _group_key(task: Task, today: date) -> str:
    """The group of an open task, as `_group_filter` puts it."""
    until = task.snoozed_until
    if task.status == TaskStatus.SNOOZED and until is not None and until > today:
        return "snoozed"
    due = task.due_date
    return "overdue" if due < today else "today" if due == today else "upcoming"


def _split_groups(tasks, today: date) -> dict[str, list[Task]]:
    """Open tasks by group, each in its group's order (`_group_order`: priority, due date and
    id, or the snoozed day and id; all non-null, compared as the database does)."""
    groups: dict[str, list[Task]] = {key: [] for key, _ in INBOX_GROUPS}
    for task in tasks:
        groups[_group_key(task, today)].append(task)
    for key, rows in groups.items():
        if key == "snoozed":
            rows.sort(key=lambda t: (t.snoozed_until, t.pk))
        else:
            rows.sort(key=lambda t: (-t.priority, t.due_date, t.pk))
    return groups


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
    queries; two when fewer than `limit` rows follow (they are all there is: their number is the
    count). A task that has left the group since (done, snoozed) still marks the place."""
    if key not in dict(INBOX_GROUPS):
        raise ValueError(f"unknown inbox group {key!r}")
    today = today or _today()
    last = Task.objects.filter(pk=after_id).only("priority", "due_date", "snoozed_until").first()
    qs = _inbox_tasks(assignee_id=assignee_id, priority=priority, q=q).filter(_group_filter(key, today))
    if last is not None and (key != "snoozed" or last.snoozed_until is not None):
        qs = qs.filter(_after(key, last))
    tasks = _first_rows(qs, key, limit)
    return InboxGroup(
        key=key,
        label=dict(INBOX_GROUPS)[key],
        tasks=tasks,
        count=len(tasks) if len(tasks) < limit else qs.count(),
    )


def emails_awaiting_approval(*, user) -> QuerySet:
    """Held playbook emails on the user's accounts (managers see every one)."""
    qs = EmailMessage.objects.filter(status=EmailStatus.PENDING_APPROVAL)
    if not user.has_role(Role.MANAGER):
        qs = qs.filter(account__owner=user)
    return qs.select_related("account", "contact", "playbook").order_by("created_at", "id")


def inbox_row(*, task_id: int) -> Task:
    """One task as an inbox row shows it (after a row action)."""
    return inbox_rows(Task.objects.filter(pk=task_id)).get()


def open_task_ids(*, task_ids: list[int]) -> list[int]:
    """Those of `task_ids` that are still open (what a bulk action may act on)."""
    return list(Task.objects.filter(pk__in=task_ids, status__in=OPEN_STATUSES).values_list("pk", flat=True))
