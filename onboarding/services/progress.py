"""Automatic completion: checklist items and event milestones completed by the usage events
that arrived, metric milestones by their condition, and the periodic sweep that catches up."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import cast

from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from usage.models import UsageEvent

from ..choices import ChecklistStatus, CompletionSource, MetricOp, MilestoneKind, PlanStatus
from ..conditions import METRICS
from ..models import AccountChecklistItem, Milestone, PlanGoal
from ..panel_cache import checklists_changed, plans_changed
from .checklists import checklists_refresh
from .plans import plans_advance

__all__ = [
    "EVENTS_QUERY_ACCOUNTS",
    "onboarding_events_apply",
    "onboarding_metrics_apply",
    "onboarding_sweep",
]

EVENTS_QUERY_ACCOUNTS = 200  # accounts per first-event query (one OR branch each; the sweep passes the whole book)


@transaction.atomic
def onboarding_events_apply(*, account_ids: Iterable[int]) -> dict[str, int]:
    """Complete open checklist items and event milestones of these accounts whose usage event
    has arrived, at the time of their first matching event (since the contract start for
    checklist items, ever for milestones): _items_complete, _goals_complete."""
    ids = list(set(account_ids))
    if not ids:
        return {"items": 0, "goals": 0}
    n_items, checklist_ids = _items_complete(ids)
    if checklist_ids:
        checklists_refresh(checklist_ids=checklist_ids)

    n_goals, plan_ids = _goals_complete(ids)
    if plan_ids:
        plans_advance(plan_ids=plan_ids)
    return {"items": n_items, "goals": n_goals}


def _items_complete(account_ids: list[int]) -> tuple[int, set[int]]:
    """Complete the open event items of these accounts' active checklists whose event arrived
    since the contract start: (items completed, their checklists). The open items are read
    first (locked: a concurrent apply or a CSM's tick waits, then sees the item done), then the
    first occurrence of each wanted event in one query whose conditions are constants per account
    (its contract start and its items' event names): PostgreSQL prunes the months before the
    start and walks the (account, occurred_at) index from it. A correlated EXISTS per item, over
    every open item of the book before the accounts were narrowed, was the soak's busiest
    statement (docs/decisions.md "Onboarding applies: the open items first")."""
    open_items = list(
        AccountChecklistItem.objects.select_for_update(of=("self",))
        .filter(checklist__account_id__in=account_ids, checklist__status=ChecklistStatus.ACTIVE)
        .filter(completed_at__isnull=True)
        .exclude(completion_event="")
        .order_by("pk")
        .values_list("pk", "checklist_id", "checklist__account_id", "checklist__contract_start", "completion_event")
    )
    if not open_items:
        return 0, set()
    wanted: dict[tuple[int, date | None], set[str]] = defaultdict(set)
    for _pk, _checklist_id, account_id, start, event in open_items:
        wanted[(account_id, start)].add(event)
    first = _first_events(wanted)
    done = [
        AccountChecklistItem(pk=pk, completed_at=first[(account_id, event)], completion_source=CompletionSource.EVENT)
        for pk, _checklist_id, account_id, _start, event in open_items
        if (account_id, event) in first
    ]
    AccountChecklistItem.objects.bulk_update(done, ["completed_at", "completion_source"])
    done_ids = {item.pk for item in done}
    checklists_changed({account_id for pk, _c, account_id, *_ in open_items if pk in done_ids})
    return len(done), {checklist_id for pk, checklist_id, *_ in open_items if pk in done_ids}


def _goals_complete(account_ids: list[int]) -> tuple[int, set[int]]:
    """Complete the open event milestones of these accounts' active plans whose event ever
    arrived: (goals completed, their plans). As _items_complete: the open goals first (locked),
    then one first-event query (a correlated EXISTS per goal was planned over every partition)."""
    open_goals = list(
        PlanGoal.objects.select_for_update(of=("self",))
        .filter(plan__account_id__in=account_ids, plan__status=PlanStatus.ACTIVE, completed_at__isnull=True)
        .filter(milestone__kind=MilestoneKind.EVENT)
        .exclude(milestone__event_name="")
        .order_by("pk")
        .values_list("pk", "plan_id", "plan__account_id", "milestone__event_name")
    )
    if not open_goals:
        return 0, set()
    wanted: dict[tuple[int, date | None], set[str]] = defaultdict(set)
    for _pk, _plan_id, account_id, event in open_goals:
        wanted[(account_id, None)].add(event)
    first = _first_events(wanted)
    done = [
        PlanGoal(pk=pk, completed_at=first[(account_id, event)], completion_source=CompletionSource.EVENT)
        for pk, _plan_id, account_id, event in open_goals
        if (account_id, event) in first
    ]
    PlanGoal.objects.bulk_update(done, ["completed_at", "completion_source"])
    done_ids = {goal.pk for goal in done}
    plans_changed({account_id for pk, _p, account_id, _e in open_goals if pk in done_ids})
    return len(done), {plan_id for pk, plan_id, *_ in open_goals if pk in done_ids}


def _first_events(wanted: dict[tuple[int, date | None], set[str]]) -> dict[tuple[int, str], datetime]:
    """{(account, since day or None): event names} -> {(account, event): its first occurrence
    (from the start of `since`, UTC)}, the names that never occurred absent. One query per
    EVENTS_QUERY_ACCOUNTS accounts, one OR branch each, its conditions constants."""
    first: dict[tuple[int, str], datetime] = {}
    keys = list(wanted)
    for i in range(0, len(keys), EVENTS_QUERY_ACCOUNTS):
        arrived = Q()
        for account_id, since in keys[i : i + EVENTS_QUERY_ACCOUNTS]:
            branch = Q(account_id=account_id, event__in=sorted(wanted[(account_id, since)]))
            if since is not None:
                branch &= Q(occurred_at__gte=datetime.combine(since, time.min, tzinfo=UTC))
            arrived |= branch
        rows = UsageEvent.objects.filter(arrived).values("account_id", "event").annotate(at=Min("occurred_at"))
        first.update({(row["account_id"], row["event"]): row["at"] for row in rows.order_by()})
    return first


@transaction.atomic
def onboarding_metrics_apply(*, as_of: date | None = None, account_ids: Iterable[int] | None = None) -> int:
    """Complete open metric milestones whose condition holds (one query per metric used)."""
    as_of = as_of or timezone.now().date()
    goals = PlanGoal.objects.filter(
        plan__status=PlanStatus.ACTIVE, completed_at__isnull=True, milestone__kind=MilestoneKind.METRIC
    ).select_related("milestone", "plan")
    if account_ids is not None:
        goals = goals.filter(plan__account_id__in=list(account_ids))
    by_metric: dict[str, list[PlanGoal]] = defaultdict(list)
    for goal in goals:
        by_metric[cast(Milestone, goal.milestone).metric_key].append(goal)
    now, done = timezone.now(), []
    for key, metric_goals in by_metric.items():
        metric = METRICS.get(key)
        if metric is None:
            continue
        values = metric.compute({g.plan.account_id for g in metric_goals}, as_of)
        for goal in metric_goals:
            value, m = values.get(goal.plan.account_id), cast(Milestone, goal.milestone)
            if value is None:
                continue
            threshold = cast(float, m.metric_threshold)
            if (m.metric_op == MetricOp.GTE and value >= threshold) or (
                m.metric_op == MetricOp.LTE and value <= threshold
            ):
                goal.completed_at, goal.completion_source = now, CompletionSource.METRIC
                done.append(goal)
    PlanGoal.objects.bulk_update(done, ["completed_at", "completion_source"], batch_size=500)
    plans_changed({g.plan.account_id for g in done})
    plans_advance(plan_ids={g.plan_id for g in done})
    return len(done)


def onboarding_sweep(*, as_of: date | None = None) -> dict[str, int]:
    """The periodic catch-up: events that arrived without the signal (imports, replays) and
    metric milestones, for every account with something open."""
    account_ids = set(
        AccountChecklistItem.objects.filter(checklist__status=ChecklistStatus.ACTIVE, completed_at__isnull=True)
        .exclude(completion_event="")
        .values_list("checklist__account_id", flat=True)
        .distinct()
    ) | set(
        PlanGoal.objects.filter(plan__status=PlanStatus.ACTIVE, completed_at__isnull=True)
        .exclude(milestone=None)
        .values_list("plan__account_id", flat=True)
        .distinct()
    )
    result = onboarding_events_apply(account_ids=account_ids)
    result["metric_goals"] = onboarding_metrics_apply(as_of=as_of)
    return result
