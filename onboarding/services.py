"""Writes for success maps, success plans and onboarding checklists (STYLE.md §2).

Playbooks' actions call `checklist_start` and `success_plan_start`; ingestion reaches
`onboarding_events_apply` through `usage.signals.events_ingested` (see signals.py)."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, Min, OuterRef, Subquery
from django.utils import timezone

from accounts.choices import ActivityKind
from accounts.models import Account, Contact, Persona, Subscription
from accounts.services import activity_create
from health.services import account_health_refresh_soon
from usage.models import UsageEvent

from .choices import (
    TIER_TOUCH,
    ChecklistStatus,
    CompletionSource,
    ItemOwner,
    MapVersionStatus,
    MetricOp,
    MilestoneKind,
    PlanStatus,
)
from .conditions import METRICS
from .models import (
    AccountChecklist,
    AccountChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateItem,
    Milestone,
    OnboardingSettings,
    PlanGoal,
    PlanShareLink,
    Stage,
    SuccessMap,
    SuccessMapVersion,
    SuccessPlan,
    SuccessVehicle,
)

SHARE_SALT = "onboarding.plan-share"

__all__ = [
    "checklist_item_toggle",
    "checklist_start",
    "checklist_template_create",
    "checklist_template_item_create",
    "checklist_template_item_delete",
    "checklist_template_update",
    "checklists_refresh",
    "checklists_start",
    "contract_starts_for",
    "customer_goal_toggle",
    "milestone_create",
    "milestone_delete",
    "onboarding_events_apply",
    "onboarding_metrics_apply",
    "onboarding_settings_update",
    "onboarding_sweep",
    "persona_create",
    "plan_goal_create",
    "plan_goal_toggle",
    "plan_stages_set",
    "share_link_create",
    "share_link_revoke",
    "share_link_token",
    "stage_create",
    "stage_delete",
    "stage_move",
    "stage_update",
    "success_map_create",
    "success_map_draft",
    "success_map_publish",
    "success_plan_start",
    "vehicle_create",
    "vehicle_delete",
]


# Section: personas and maps


def persona_create(*, name: str, description: str = "") -> Persona:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A persona needs a name."})
    if Persona.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"A persona called {name!r} exists already."})
    return Persona.objects.create(name=name, description=description)


@transaction.atomic
def success_map_create(*, persona: Persona, name: str, description: str = "", user=None) -> SuccessMap:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A map needs a name."})
    if SuccessMap.objects.filter(persona=persona, name__iexact=name).exists():
        raise ValidationError({"name": f"{persona} already has a map called {name!r}."})
    success_map = SuccessMap.objects.create(persona=persona, name=name, description=description)
    SuccessMapVersion.objects.create(success_map=success_map, number=1, created_by=user)
    return success_map


@transaction.atomic
def success_map_draft(*, success_map: SuccessMap, user=None) -> SuccessMapVersion:
    """The version to edit: the open draft, else a new draft copied from the newest version.
    Published versions are never edited, so plans on them keep what they started with."""
    locked = SuccessMap.objects.select_for_update().get(pk=success_map.pk)
    draft = locked.versions.filter(status=MapVersionStatus.DRAFT).first()
    if draft is not None:
        return draft
    source = locked.versions.order_by("-number").prefetch_related("stages__milestones", "stages__vehicles").first()
    draft = SuccessMapVersion.objects.create(
        success_map=locked, number=(source.number + 1) if source else 1, created_by=user
    )
    if source is None:
        return draft
    for stage in source.stages.all():
        new_stage = Stage.objects.create(
            version=draft, key=stage.key, position=stage.position, name=stage.name, description=stage.description
        )
        Milestone.objects.bulk_create(
            Milestone(
                stage=new_stage,
                key=m.key,
                position=m.position,
                title=m.title,
                kind=m.kind,
                event_name=m.event_name,
                metric_key=m.metric_key,
                metric_op=m.metric_op,
                metric_threshold=m.metric_threshold,
            )
            for m in stage.milestones.all()
        )
        SuccessVehicle.objects.bulk_create(
            SuccessVehicle(stage=new_stage, key=v.key, position=v.position, title=v.title, kind=v.kind, url=v.url)
            for v in stage.vehicles.all()
        )
    return draft


def _require_draft(version: SuccessMapVersion) -> None:
    if version.status != MapVersionStatus.DRAFT:
        raise ValidationError(
            f"Version {version.number} is {version.get_status_display().lower()}: edit a new draft instead."
        )


@transaction.atomic
def success_map_publish(*, version: SuccessMapVersion, note: str = "") -> SuccessMapVersion:
    _require_draft(version)
    stages = list(version.stages.all())
    if not stages:
        raise ValidationError("A map needs at least one stage before it is published.")
    now = timezone.now()
    SuccessMapVersion.objects.filter(success_map_id=version.success_map_id, status=MapVersionStatus.PUBLISHED).update(
        status=MapVersionStatus.RETIRED
    )
    version.status = MapVersionStatus.PUBLISHED
    version.published_at = now
    version.note = note or version.note
    version.save(update_fields=["status", "published_at", "note"])
    return version


def stage_create(*, version: SuccessMapVersion, name: str, description: str = "") -> Stage:
    _require_draft(version)
    if not name.strip():
        raise ValidationError({"name": "A stage needs a name."})
    last = version.stages.aggregate(m=Max("position"))["m"]
    return Stage.objects.create(
        version=version, name=name.strip(), description=description, position=0 if last is None else last + 1
    )


def stage_update(*, stage: Stage, name: str, description: str = "") -> Stage:
    _require_draft(stage.version)
    if not name.strip():
        raise ValidationError({"name": "A stage needs a name."})
    stage.name, stage.description = name.strip(), description
    stage.save(update_fields=["name", "description"])
    return stage


def stage_delete(*, stage: Stage) -> None:
    _require_draft(stage.version)
    stage.delete()


@transaction.atomic
def stage_move(*, stage: Stage, offset: int) -> None:
    """Move a stage up (-1) or down (+1) among its version's stages."""
    _require_draft(stage.version)
    stages = list(stage.version.stages.all())
    index = next(i for i, s in enumerate(stages) if s.pk == stage.pk)
    target = index + offset
    if not 0 <= target < len(stages):
        return
    stages[index], stages[target] = stages[target], stages[index]
    for position, s in enumerate(stages):
        s.position = position
    Stage.objects.bulk_update(stages, ["position"])


def milestone_create(
    *,
    stage: Stage,
    title: str,
    kind: str = MilestoneKind.MANUAL,
    event_name: str = "",
    metric_key: str = "",
    metric_op: str = MetricOp.GTE,
    metric_threshold: float | None = None,
) -> Milestone:
    _require_draft(stage.version)
    if kind == MilestoneKind.METRIC and metric_key not in METRICS:
        raise ValidationError({"metric_key": f"Unknown metric {metric_key!r}."})
    last = stage.milestones.aggregate(m=Max("position"))["m"]
    milestone = Milestone(
        stage=stage,
        title=title.strip(),
        kind=kind,
        event_name=event_name.strip() if kind == MilestoneKind.EVENT else "",
        metric_key=metric_key if kind == MilestoneKind.METRIC else "",
        metric_op=metric_op,
        metric_threshold=metric_threshold if kind == MilestoneKind.METRIC else None,
        position=0 if last is None else last + 1,
    )
    milestone.full_clean(exclude=["stage", "key"])
    milestone.save()
    return milestone


def milestone_delete(*, milestone: Milestone) -> None:
    _require_draft(milestone.stage.version)
    milestone.delete()


def vehicle_create(*, stage: Stage, title: str, kind: str, url: str = "") -> SuccessVehicle:
    _require_draft(stage.version)
    last = stage.vehicles.aggregate(m=Max("position"))["m"]
    vehicle = SuccessVehicle(
        stage=stage, title=title.strip(), kind=kind, url=url, position=0 if last is None else last + 1
    )
    vehicle.full_clean(exclude=["stage", "key"])
    vehicle.save()
    return vehicle


def vehicle_delete(*, vehicle: SuccessVehicle) -> None:
    _require_draft(vehicle.stage.version)
    vehicle.delete()


# Section: success plans


def _stage_in_version(stage: Stage | None, version: SuccessMapVersion, stages: list[Stage]) -> Stage | None:
    """The stage of `version` for `stage` (same row, or same key from another version)."""
    if stage is None:
        return None
    for candidate in stages:
        if candidate.pk == stage.pk or candidate.key == stage.key:
            return candidate
    raise ValidationError({"stage": f"Stage {stage} is not on {version}."})


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
        raise ValidationError(f"{account} already has an active plan on another map; close it first.")
    version = success_map.versions.filter(status=MapVersionStatus.PUBLISHED).order_by("-number").first()
    if version is None:
        raise ValidationError({"success_map": f"{success_map} has no published version yet."})
    stages = list(version.stages.prefetch_related("milestones"))
    current = _stage_in_version(current_stage, version, stages) or stages[0]
    target = _stage_in_version(target_stage, version, stages) or stages[-1]
    if target.position < current.position:
        raise ValidationError({"target_stage": "The target stage must not come before the current stage."})
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
            raise ValidationError(f"{account} already has an active plan on another map; close it first.") from None
        return plan
    _plan_goals_for_stages(plan, [s for s in stages if current.position <= s.position <= target.position])
    transaction.on_commit(lambda: _apply_soon([account.pk]))
    return plan


def _apply_soon(account_ids: list[int]) -> None:
    from .tasks import onboarding_events_apply_task

    onboarding_events_apply_task.delay(account_ids=account_ids)


@transaction.atomic
def plan_stages_set(*, plan: SuccessPlan, current_stage: Stage, target_stage: Stage) -> SuccessPlan:
    stages = list(plan.map_version.stages.prefetch_related("milestones"))
    current = _stage_in_version(current_stage, plan.map_version, stages)
    target = _stage_in_version(target_stage, plan.map_version, stages)
    if target.position < current.position:
        raise ValidationError({"target_stage": "The target stage must not come before the current stage."})
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
        raise ValidationError({"title": "A goal needs a title."})
    if owner_user is not None and owner_contact is not None:
        raise ValidationError({"owner": "A goal has one owner: a CSM or a customer contact."})
    if owner_contact is not None and owner_contact.account_id != plan.account_id:
        raise ValidationError({"owner": "That contact does not belong to this account."})
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
        _plans_advance(plan_ids=[goal.plan_id])
    return goal


def _plans_advance(*, plan_ids: Iterable[int]) -> None:
    """Move each plan's current stage past the stages whose milestones are all done (never
    beyond the target); a plan whose target stage is done is achieved."""
    plans = list(
        SuccessPlan.objects.filter(pk__in=list(plan_ids), status=PlanStatus.ACTIVE)
        .select_related("current_stage", "target_stage")
        .prefetch_related("map_version__stages", "goals")
    )
    now = timezone.now()
    for plan in plans:
        open_by_stage: dict[int, int] = defaultdict(int)
        for goal in plan.goals.all():
            if goal.milestone_id and goal.completed_at is None:
                open_by_stage[goal.stage_id] += 1
        stages = [
            s
            for s in plan.map_version.stages.all()
            if plan.current_stage.position <= s.position <= plan.target_stage.position
        ]
        current = plan.current_stage
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


def share_link_token(link: PlanShareLink) -> str:
    return signing.dumps([link.pk, link.nonce], salt=SHARE_SALT, compress=True)


def share_link_create(*, plan: SuccessPlan, contact: Contact | None = None, days: int = 30, user=None) -> PlanShareLink:
    if contact is not None and contact.account_id != plan.account_id:
        raise ValidationError({"contact": "That contact does not belong to this account."})
    if not 1 <= days <= 365:
        raise ValidationError({"days": "A link lasts between 1 and 365 days."})
    return PlanShareLink.objects.create(
        plan=plan, contact=contact, created_by=user, expires_at=timezone.now() + timedelta(days=days)
    )


def share_link_revoke(*, link: PlanShareLink) -> PlanShareLink:
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


def customer_goal_toggle(*, link: PlanShareLink, goal_id: int, done: bool) -> PlanGoal:
    """The customer ticks a goal through a shared link: only a goal of that link's plan owned
    by one of the account's contacts. Raises PlanGoal.DoesNotExist otherwise."""
    if not link.is_usable():
        raise PermissionError("This link no longer works.")
    goal = PlanGoal.objects.select_related("plan__account", "owner_contact").get(
        pk=goal_id, plan_id=link.plan_id, owner_contact__isnull=False
    )
    was_done = goal.is_done
    goal = plan_goal_toggle(goal=goal, done=done, source=CompletionSource.CUSTOMER)
    if goal.is_done != was_done:
        activity_create(
            account=goal.plan.account,
            kind=ActivityKind.SYSTEM,
            subject=f"Customer {'completed' if done else 'reopened'} a success plan goal",
            body=goal.title,
            contact=link.contact or goal.owner_contact,
            metadata={"plan_id": goal.plan_id, "goal_id": goal.pk, "via": "shared link"},
        )
    return goal


# Section: checklists


def onboarding_settings_update(*, value_event: str, stalled_days: int, stuck_days: int) -> OnboardingSettings:
    obj = OnboardingSettings.load()
    obj.value_event, obj.stalled_days, obj.stuck_days = value_event.strip(), stalled_days, stuck_days
    obj.full_clean()
    obj.save(update_fields=["value_event", "stalled_days", "stuck_days", "updated_at"])
    return obj


def checklist_template_create(
    *, name: str, touch_model: str, tiers: list[str], value_event: str = ""
) -> ChecklistTemplate:
    template = ChecklistTemplate(
        name=name.strip(), touch_model=touch_model, tiers=sorted(set(tiers)), value_event=value_event.strip()
    )
    template.full_clean()
    template.save()
    return template


def checklist_template_update(
    *, template: ChecklistTemplate, name: str, touch_model: str, tiers: list[str], value_event: str, is_active: bool
) -> ChecklistTemplate:
    template.name, template.touch_model, template.tiers = name.strip(), touch_model, sorted(set(tiers))
    template.value_event, template.is_active = value_event.strip(), is_active
    template.full_clean()
    template.save()
    return template


def checklist_template_item_create(
    *,
    template: ChecklistTemplate,
    title: str,
    owner: str = ItemOwner.CSM,
    due_offset_days: int = 7,
    completion_event: str = "",
    description: str = "",
) -> ChecklistTemplateItem:
    last = template.items.aggregate(m=Max("position"))["m"]
    item = ChecklistTemplateItem(
        template=template,
        title=title.strip(),
        owner=owner,
        due_offset_days=due_offset_days,
        completion_event=completion_event.strip(),
        description=description,
        position=0 if last is None else last + 1,
    )
    item.full_clean()
    item.save()
    return item


def checklist_template_item_delete(*, item: ChecklistTemplateItem) -> None:
    item.delete()


def _active_templates() -> list[ChecklistTemplate]:
    return list(ChecklistTemplate.objects.filter(is_active=True).order_by("-created_at", "-id"))


def _template_for(account: Account, templates: list[ChecklistTemplate]) -> ChecklistTemplate | None:
    for template in templates:
        if account.tier in (template.tiers or []):
            return template
    touch = TIER_TOUCH.get(account.tier)
    return next((t for t in templates if t.touch_model == touch and not t.tiers), None)


def checklist_template_for(account: Account) -> ChecklistTemplate | None:
    """An active template naming the account's tier, else one of the tier's touch model."""
    return _template_for(account, _active_templates())


def contract_start_for(account: Account) -> date | None:
    return Subscription.objects.filter(account=account, is_trial=False).aggregate(d=Min("start_date"))["d"]


def contract_starts_for(account_ids: Iterable[int]) -> dict[int, date]:
    """contract_start_for of many accounts in one query: {account id: first paid start};
    accounts with no paid subscription are absent."""
    return dict(
        Subscription.objects.filter(account_id__in=list(account_ids), is_trial=False)
        .values("account_id")
        .annotate(d=Min("start_date"))
        .values_list("account_id", "d")
        .order_by()
    )


def _checklist_items(checklist: AccountChecklist, template_items, owner_id: int | None):
    """A new checklist's items, from its template's (unsaved; the caller bulk-creates them)."""
    for item in template_items:
        yield AccountChecklistItem(
            checklist=checklist,
            position=item.position,
            title=item.title,
            owner=item.owner,
            owner_user_id=owner_id if item.owner == ItemOwner.CSM else None,
            due_date=checklist.contract_start + timedelta(days=item.due_offset_days),
            completion_event=item.completion_event,
        )


@transaction.atomic
def checklist_start(*, account: Account, template: ChecklistTemplate | None = None) -> AccountChecklist:
    """Start an onboarding checklist (template chosen by the account's tier when None).
    Safe to call twice: an active checklist is returned as it is."""
    existing = (
        AccountChecklist.objects.select_for_update().filter(account=account, status=ChecklistStatus.ACTIVE).first()
    )
    if existing is not None:
        return existing
    template = template or checklist_template_for(account)
    if template is None:
        raise ValidationError(f"No active checklist template fits the {account.get_tier_display()} tier.")
    start = contract_start_for(account) or timezone.now().date()
    try:
        with transaction.atomic():
            checklist = AccountChecklist.objects.create(
                account=account,
                template=template,
                name=template.name,
                contract_start=start,
                value_event=template.value_event,
            )
    except IntegrityError:
        # A concurrent call started one first (one active checklist per account).
        return AccountChecklist.objects.get(account=account, status=ChecklistStatus.ACTIVE)
    AccountChecklistItem.objects.bulk_create(_checklist_items(checklist, template.items.all(), account.owner_id))
    transaction.on_commit(lambda: _apply_soon([account.pk]))
    return checklist


@transaction.atomic
def checklists_start(*, accounts: Iterable[Account]) -> list[AccountChecklist]:
    """`checklist_start` for many accounts (each with its tier's template) in a constant number
    of queries, for the demo and bulk onboarding: the same checklists and items, in the order
    given, and one deferred apply of their events instead of one per account. Accounts with an
    active checklist keep it (it is returned); a concurrent start of the same account makes the
    whole call fail on the one-active-checklist constraint."""
    accounts = list(accounts)
    if not accounts:
        return []
    ids = [account.pk for account in accounts]
    existing = {
        c.account_id: c
        for c in AccountChecklist.objects.select_for_update().filter(account_id__in=ids, status=ChecklistStatus.ACTIVE)
    }
    templates = _active_templates()
    starts = contract_starts_for(ids)
    today = timezone.now().date()
    new: list[AccountChecklist] = []
    for account in accounts:
        if account.pk in existing:
            continue
        template = _template_for(account, templates)
        if template is None:
            raise ValidationError(f"No active checklist template fits the {account.get_tier_display()} tier.")
        new.append(
            AccountChecklist(
                account=account,
                template=template,
                name=template.name,
                contract_start=starts.get(account.pk) or today,
                value_event=template.value_event,
            )
        )
    AccountChecklist.objects.bulk_create(new)
    items = {t.pk: list(t.items.all()) for t in templates if any(c.template_id == t.pk for c in new)}
    owners = {account.pk: account.owner_id for account in accounts}
    AccountChecklistItem.objects.bulk_create(
        row
        for checklist in new
        for row in _checklist_items(checklist, items[checklist.template_id], owners[checklist.account_id])
    )
    if new:
        started_ids = [c.account_id for c in new]
        transaction.on_commit(lambda: _apply_soon(started_ids))
    by_account = {**existing, **{c.account_id: c for c in new}}
    return [by_account[pk] for pk in dict.fromkeys(ids)]


def checklist_item_toggle(*, item: AccountChecklistItem, done: bool) -> AccountChecklistItem:
    if done == item.is_done:
        return item
    item.completed_at = timezone.now() if done else None
    item.completion_source = CompletionSource.MANUAL if done else ""
    item.save(update_fields=["completed_at", "completion_source"])
    checklists_refresh(checklist_ids=[item.checklist_id])
    # Onboarding progress is a health measure: let the score follow within a minute.
    account_health_refresh_soon(account_id=item.checklist.account_id)
    return item


def checklists_refresh(*, checklist_ids: Iterable[int]) -> None:
    """Checklists whose items are all done become completed (and back, if an item is unticked)."""
    ids = list(checklist_ids)
    if not ids:
        return
    open_checklist_ids = AccountChecklistItem.objects.filter(checklist_id__in=ids, completed_at__isnull=True).values(
        "checklist_id"
    )
    last_done = (
        AccountChecklistItem.objects.filter(checklist=OuterRef("pk"))
        .order_by("-completed_at")
        .values("completed_at")[:1]
    )
    AccountChecklist.objects.filter(pk__in=ids, status=ChecklistStatus.ACTIVE).exclude(
        pk__in=open_checklist_ids
    ).update(status=ChecklistStatus.COMPLETED, completed_at=Subquery(last_done))
    reopened = AccountChecklist.objects.filter(pk__in=ids, status=ChecklistStatus.COMPLETED).filter(
        pk__in=open_checklist_ids
    )
    reopened.update(status=ChecklistStatus.ACTIVE, completed_at=None)


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
        _plans_advance(plan_ids=plan_ids)
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
        by_metric[goal.milestone.metric_key].append(goal)
    now, done = timezone.now(), []
    for key, metric_goals in by_metric.items():
        metric = METRICS.get(key)
        if metric is None:
            continue
        values = metric.compute({g.plan.account_id for g in metric_goals}, as_of)
        for goal in metric_goals:
            value, m = values.get(goal.plan.account_id), goal.milestone
            if value is None:
                continue
            if (m.metric_op == MetricOp.GTE and value >= m.metric_threshold) or (
                m.metric_op == MetricOp.LTE and value <= m.metric_threshold
            ):
                goal.completed_at, goal.completion_source = now, CompletionSource.METRIC
                done.append(goal)
    PlanGoal.objects.bulk_update(done, ["completed_at", "completion_source"], batch_size=500)
    _plans_advance(plan_ids={g.plan_id for g in done})
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
