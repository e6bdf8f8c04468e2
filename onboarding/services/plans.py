"""Success plans: a plan started on a map's published version, its stages and goals, and the
advance past stages whose milestones are done."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account, Contact

from ..choices import CompletionSource, MapVersionStatus, MilestoneKind, PlanStatus
from ..models import PlanGoal, Stage, SuccessMap, SuccessMapVersion, SuccessPlan

__all__ = [
    "events_apply_soon",
    "plan_goal_create",
    "plan_goal_toggle",
    "plan_stages_set",
    "plans_advance",
    "success_plan_start",
]


def _stage_in_version(stage: Stage | None, version: SuccessMapVersion, stages: list[Stage]) -> Stage | None:
    """The stage of `version` for `stage` (same row, or same key from another version)."""
    if stage is None:
        return None
    for candidate in stages:
        if candidate.pk == stage.pk or candidate.key == stage.key:
            return candidate
    raise ValidationError({"stage": _("Stage %(stage)s is not on %(version)s.") % {"stage": stage, "version": version}})


def _plan_goals_for_stages(plan: SuccessPlan, stages: list[Stage]) -> None:
    """Add a goal for each milestone of `stages` that the plan does not have yet."""
    have = set(plan.goals.exclude(milestone=None).values_list("milestone_id", flat=True))
    last = plan.goals.aggregate(m=Max("position"))["m"]
    position = 0 if last is None else last + 1
    new = []
    for stage in stages:
        for milestone in stage.milestones.all():
            if milestone.pk in have:
                continue
            new.append(
                PlanGoal(
                    plan=plan,
                    stage=stage,
                    milestone=milestone,
                    title=milestone.title,
                    position=position,
                    owner_user=plan.owner if milestone.kind == MilestoneKind.MANUAL else None,
                )
            )
            position += 1
    PlanGoal.objects.bulk_create(new)


@transaction.atomic
def success_plan_start(
    *,
    account: Account,
    success_map: SuccessMap,
    current_stage: Stage | None = None,
    target_stage: Stage | None = None,
    owner=None,
) -> SuccessPlan:
    """Start a plan on the map's published version: goals from the milestones of the stages
    from `current_stage` (default: the first) to `target_stage` (default: the last).
    Safe to call twice: an active plan on the same map is returned as it is."""
    existing = (
        SuccessPlan.objects.select_for_update()
        .select_related("map_version")
        .filter(account=account, status=PlanStatus.ACTIVE)
        .first()
    )
    if existing is not None:
        if existing.map_version.success_map_id == success_map.pk:
            return existing
        raise ValidationError(
            _("%(account)s already has an active plan on another map; close it first.") % {"account": account}
        )
    version = success_map.versions.filter(status=MapVersionStatus.PUBLISHED).order_by("-number").first()
    if version is None:
        raise ValidationError({"success_map": _("%(map)s has no published version yet.") % {"map": success_map}})
    stages = list(version.stages.prefetch_related("milestones"))
    current = _stage_in_version(current_stage, version, stages) or stages[0]
    target = _stage_in_version(target_stage, version, stages) or stages[-1]
    if target.position < current.position:
        raise ValidationError({"target_stage": _("The target stage must not come before the current stage.")})
    try:
        with transaction.atomic():
            plan = SuccessPlan.objects.create(
                account=account,
                map_version=version,
                current_stage=current,
                target_stage=target,
                owner=owner or account.owner,
            )
    except IntegrityError:
        # A concurrent call started one first (one active plan per account).
        plan = SuccessPlan.objects.select_related("map_version").get(account=account, status=PlanStatus.ACTIVE)
        if plan.map_version.success_map_id != success_map.pk:
            raise ValidationError(
                _("%(account)s already has an active plan on another map; close it first.") % {"account": account}
            ) from None
        return plan
    _plan_goals_for_stages(plan, [s for s in stages if current.position <= s.position <= target.position])
    transaction.on_commit(lambda: events_apply_soon([account.pk]))
    return plan


def events_apply_soon(account_ids: list[int]) -> None:
    from ..tasks import onboarding_events_apply_task

    onboarding_events_apply_task.delay(account_ids=account_ids)


@transaction.atomic
def plan_stages_set(*, plan: SuccessPlan, current_stage: Stage, target_stage: Stage) -> SuccessPlan:
    stages = list(plan.map_version.stages.prefetch_related("milestones"))
    current = cast(Stage, _stage_in_version(current_stage, plan.map_version, stages))
    target = cast(Stage, _stage_in_version(target_stage, plan.map_version, stages))
    if target.position < current.position:
        raise ValidationError({"target_stage": _("The target stage must not come before the current stage.")})
    fields = ["target_stage", "updated_at"]
    if current.pk != plan.current_stage_id:
        plan.stage_changed_at = timezone.now()
        fields += ["current_stage", "stage_changed_at"]
    plan.current_stage, plan.target_stage = current, target
    plan.save(update_fields=fields)
    _plan_goals_for_stages(plan, [s for s in stages if current.position <= s.position <= target.position])
    return plan


def plan_goal_create(
    *,
    plan: SuccessPlan,
    title: str,
    due_date: date | None = None,
    owner_user=None,
    owner_contact: Contact | None = None,
) -> PlanGoal:
    if not title.strip():
        raise ValidationError({"title": _("A goal needs a title.")})
    if owner_user is not None and owner_contact is not None:
        raise ValidationError({"owner": _("A goal has one owner: a CSM or a customer contact.")})
    if owner_contact is not None and owner_contact.account_id != plan.account_id:
        raise ValidationError({"owner": _("That contact does not belong to this account.")})
    last = plan.goals.aggregate(m=Max("position"))["m"]
    return PlanGoal.objects.create(
        plan=plan,
        title=title.strip(),
        due_date=due_date,
        owner_user=owner_user,
        owner_contact=owner_contact,
        stage=plan.current_stage,
        position=0 if last is None else last + 1,
    )


def plan_goal_toggle(*, goal: PlanGoal, done: bool, source: str = CompletionSource.MANUAL) -> PlanGoal:
    if done == goal.is_done:
        return goal
    goal.completed_at = timezone.now() if done else None
    goal.completion_source = source if done else ""
    goal.save(update_fields=["completed_at", "completion_source"])
    if done:
        plans_advance(plan_ids=[goal.plan_id])
    return goal


def plans_advance(*, plan_ids: Iterable[int]) -> None:
    """Move each plan's current stage past the stages whose milestones are all done (never
    beyond the target); a plan whose target stage is done is achieved."""
    plans = list(
        SuccessPlan.objects.filter(pk__in=list(plan_ids), status=PlanStatus.ACTIVE)
        .select_related("current_stage", "target_stage")
        .prefetch_related("map_version__stages", "goals")
    )
    now = timezone.now()
    for plan in plans:
        open_by_stage: dict[int | None, int] = defaultdict(int)
        for goal in plan.goals.all():
            if goal.milestone_id and goal.completed_at is None:
                open_by_stage[goal.stage_id] += 1
        start, end = cast(Stage, plan.current_stage), cast(Stage, plan.target_stage)
        stages = [s for s in plan.map_version.stages.all() if start.position <= s.position <= end.position]
        current = start
        achieved = False
        for stage in stages:
            if open_by_stage[stage.pk]:
                break
            if stage.pk == plan.target_stage_id:
                achieved = True
                break
            current = next(s for s in stages if s.position > stage.position)
        fields = ["updated_at"]
        if current.pk != plan.current_stage_id:
            plan.current_stage, plan.stage_changed_at = current, now
            fields += ["current_stage", "stage_changed_at"]
        if achieved:
            plan.current_stage, plan.status = plan.target_stage, PlanStatus.ACHIEVED
            fields += ["current_stage", "status"]
        if len(fields) > 1:
            plan.save(update_fields=sorted(set(fields)))
