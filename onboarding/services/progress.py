"""Automatic completion: checklist items and event milestones completed by the usage events
that arrived, metric milestones by their condition, and the periodic sweep that catches up."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import cast

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.utils import timezone

from usage.models import UsageEvent

from ..choices import ChecklistStatus, CompletionSource, MetricOp, MilestoneKind, PlanStatus
from ..conditions import METRICS
from ..models import AccountChecklistItem, Milestone, PlanGoal
from .checklists import checklists_refresh
from .plans import plans_advance

__all__ = [
    "onboarding_events_apply",
    "onboarding_metrics_apply",
    "onboarding_sweep",
]


@transaction.atomic
def onboarding_events_apply(*, account_ids: Iterable[int]) -> dict[str, int]:
    """Complete open checklist items and event milestones of these accounts whose usage event
    has arrived, at the time of their first matching event (since the contract start for
    checklist items, ever for milestones). Set-based and row-count independent: per kind one
    SELECT of the touched parents and one UPDATE whose correlated subquery finds each row's
    first event (no rows travel through Python)."""
    ids = list(set(account_ids))
    if not ids:
        return {"items": 0, "goals": 0}
    # The item's checklist reached through the event's account: only local columns of the
    # updated row are referenced (OuterRef), which an UPDATE allows.
    item_events = UsageEvent.objects.filter(
        account__checklists=OuterRef("checklist_id"),
        event=OuterRef("completion_event"),
        occurred_at__gte=F("account__checklists__contract_start"),
    )
    items = (
        AccountChecklistItem.objects.filter(
            checklist__account_id__in=ids, checklist__status=ChecklistStatus.ACTIVE, completed_at__isnull=True
        )
        .exclude(completion_event="")
        .filter(Exists(item_events))
    )
    checklist_ids = set(items.values_list("checklist_id", flat=True))
    n_items = 0
    if checklist_ids:
        n_items = (
            AccountChecklistItem.objects.filter(checklist_id__in=checklist_ids, completed_at__isnull=True)
            .exclude(completion_event="")
            .filter(Exists(item_events))
            .update(
                completed_at=Subquery(item_events.order_by("occurred_at").values("occurred_at")[:1]),
                completion_source=CompletionSource.EVENT,
            )
        )
        checklists_refresh(checklist_ids=checklist_ids)

    milestone_event = Milestone.objects.filter(pk=OuterRef(OuterRef("milestone_id"))).values("event_name")[:1]
    goal_events = UsageEvent.objects.filter(account__success_plans=OuterRef("plan_id"), event=Subquery(milestone_event))
    goals = PlanGoal.objects.filter(
        plan__account_id__in=ids,
        plan__status=PlanStatus.ACTIVE,
        completed_at__isnull=True,
        milestone__kind=MilestoneKind.EVENT,
    ).filter(Exists(goal_events))
    plan_ids = set(goals.values_list("plan_id", flat=True))
    n_goals = 0
    if plan_ids:
        n_goals = (
            PlanGoal.objects.filter(
                plan_id__in=plan_ids, completed_at__isnull=True, milestone__kind=MilestoneKind.EVENT
            )
            .filter(Exists(goal_events))
            .update(
                completed_at=Subquery(goal_events.order_by("occurred_at").values("occurred_at")[:1]),
                completion_source=CompletionSource.EVENT,
            )
        )
        plans_advance(plan_ids=plan_ids)
    return {"items": n_items, "goals": n_goals}


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
