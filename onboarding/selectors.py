"""Reads for success plans and onboarding. `checklists_stalled` and `checklist_items_overdue`
are the playbook triggers' sources (contract E); the rest feed the browser pages."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from django.db.models import Case, Count, DateTimeField, F, Max, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from accounts.models import Account, Persona
from core.choices import Role
from core.models import User
from core.signed_links import SignedLinkGone, SignedLinkInvalid, signed_link_load

from .choices import ChecklistStatus, MapVersionStatus, PlanStatus
from .models import (
    AccountChecklist,
    AccountChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateItem,
    OnboardingSettings,
    PlanGoal,
    PlanShareLink,
    Stage,
    SuccessMap,
    SuccessMapVersion,
    SuccessPlan,
)

SHARE_SALT = "onboarding.plan-share"


def _day_end(as_of: date) -> datetime:
    return datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=UTC)


# Section: checklists


def checklists_with_progress(queryset: QuerySet | None = None) -> QuerySet:
    """Checklists annotated with `items_total`, `items_done` and `last_progress_at` (the later
    of the start and the newest completed item)."""
    queryset = AccountChecklist.objects.all() if queryset is None else queryset
    return queryset.annotate(
        items_total=Count("items"),
        items_done=Count("items", filter=Q(items__completed_at__isnull=False)),
        last_progress_at=Greatest(
            F("started_at"), Coalesce(Max("items__completed_at"), F("started_at"), output_field=DateTimeField())
        ),
    )


def checklists_stalled(*, as_of: date, days: int | None = None) -> QuerySet:
    """Active checklists where no item was completed for `days` days (default: the team
    setting) up to the end of `as_of`. Annotated as `checklists_with_progress`."""
    days = OnboardingSettings.load().stalled_days if days is None else days
    cutoff = _day_end(as_of) - timedelta(days=days)
    return (
        checklists_with_progress(AccountChecklist.objects.filter(status=ChecklistStatus.ACTIVE))
        .filter(last_progress_at__lt=cutoff)
        .select_related("account")
        .order_by("last_progress_at", "pk")
    )


def checklist_items_overdue(*, as_of: date) -> QuerySet:
    """Open items of active checklists whose due date is before `as_of`."""
    return (
        AccountChecklistItem.objects.filter(
            checklist__status=ChecklistStatus.ACTIVE, completed_at__isnull=True, due_date__lt=as_of
        )
        .select_related("checklist", "checklist__account")
        .order_by("due_date", "pk")
    )


def checklist_for_account(*, account_id: int) -> AccountChecklist | None:
    """The account's active checklist, else its latest one; with items prefetched."""
    return (
        AccountChecklist.objects.filter(account_id=account_id)
        .order_by(Case(When(status=ChecklistStatus.ACTIVE, then=Value(0)), default=Value(1)), "-started_at")
        .prefetch_related("items__owner_user")
        .first()
    )


def onboarding_settings() -> OnboardingSettings:
    """The team's onboarding settings (value event, stalled and stuck days)."""
    return OnboardingSettings.load()


def template_items(*, template: ChecklistTemplate) -> list[ChecklistTemplateItem]:
    return list(template.items.all())


def checklist_template_list() -> QuerySet:
    """Checklist templates with `item_count` and `active_count` (checklists running on each)."""
    return ChecklistTemplate.objects.annotate(
        item_count=Count("items", distinct=True),
        active_count=Count("checklists", filter=Q(checklists__status="active"), distinct=True),
    )


# Section: maps and plans


def persona_list() -> QuerySet:
    """Personas with `map_count`."""
    return Persona.objects.annotate(map_count=Count("success_maps"))


def success_map_list() -> QuerySet:
    return SuccessMap.objects.select_related("persona").annotate(
        version_count=Count("versions", distinct=True),
        published_number=Max("versions__number", filter=Q(versions__status=MapVersionStatus.PUBLISHED)),
        plan_count=Count("versions__plans", filter=Q(versions__plans__status=PlanStatus.ACTIVE), distinct=True),
    )


def published_maps() -> QuerySet:
    return SuccessMap.objects.filter(versions__status=MapVersionStatus.PUBLISHED).select_related("persona").distinct()


def map_version_detail(*, version_id: int) -> SuccessMapVersion:
    return (
        SuccessMapVersion.objects.select_related("success_map__persona")
        .prefetch_related("stages__milestones", "stages__vehicles")
        .get(pk=version_id)
    )


def map_versions(*, success_map: SuccessMap) -> list[SuccessMapVersion]:
    """The map's versions, newest first."""
    return list(success_map.versions.order_by("-number"))


def map_draft(*, success_map: SuccessMap) -> SuccessMapVersion | None:
    return success_map.versions.filter(status=MapVersionStatus.DRAFT).first()


def map_stages(*, success_map: SuccessMap) -> dict[int, Stage]:
    """Every stage of every version of the map, by id."""
    return {s.pk: s for s in Stage.objects.filter(version__success_map=success_map)}


def plan_stages(*, plan: SuccessPlan) -> dict[int, Stage]:
    """The stages of the plan's map version, by id."""
    return {s.pk: s for s in plan.map_version.stages.all()}


def plan_for_account(*, account_id: int) -> SuccessPlan | None:
    """The account's active plan (else its latest), goals, owners, stages and links prefetched."""
    return (
        SuccessPlan.objects.filter(account_id=account_id)
        .order_by(Case(When(status=PlanStatus.ACTIVE, then=Value(0)), default=Value(1)), "-created_at")
        .select_related("map_version__success_map", "current_stage", "target_stage", "owner")
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=PlanGoal.objects.select_related("owner_user", "owner_contact", "stage", "milestone"),
            ),
            "map_version__stages",
            Prefetch("share_links", queryset=PlanShareLink.objects.select_related("contact")),
        )
        .first()
    )


def board_plans(*, success_map: SuccessMap, owner_id=None, tier: str = "", segment: str = "") -> QuerySet:
    """Active plans on any version of the map, for the board, with their goals counted."""
    plans = SuccessPlan.objects.filter(map_version__success_map=success_map, status=PlanStatus.ACTIVE)
    if owner_id:
        plans = plans.filter(account__owner_id=owner_id)
    if tier:
        plans = plans.filter(account__tier=tier)
    if segment:
        plans = plans.filter(account__segment=segment)
    return (
        plans.select_related("account", "account__owner", "current_stage", "target_stage")
        .annotate(
            goals_total=Count("goals"),
            goals_done=Count("goals", filter=Q(goals__completed_at__isnull=False)),
        )
        .order_by("stage_changed_at", "pk")
    )


@dataclass
class Board:
    """The board of one map: a column per stage of its latest published version."""

    columns: list[dict] = field(default_factory=list)
    plans_count: int = 0
    stuck_count: int = 0


def board(
    *, success_map: SuccessMap | None, stuck_days: int, owner_id=None, tier: str = "", segment: str = ""
) -> Board:
    """The map's stages as columns with the accounts on each (current stage; each plan marked
    `is_stuck` after `stuck_days` without stage progress) and the count aiming at each."""
    result = Board()
    if success_map is None:
        return result
    version = cast(
        SuccessMapVersion, success_map.versions.filter(status=MapVersionStatus.PUBLISHED).order_by("-number").first()
    )
    stages = list(version.stages.all())
    by_key: dict[str, dict[str, Any]] = {s.key: {"stage": s, "plans": [], "targets": 0} for s in stages}
    cutoff = timezone.now() - timedelta(days=stuck_days)
    for plan in board_plans(success_map=success_map, owner_id=owner_id, tier=tier, segment=segment):
        plan.is_stuck = plan.stage_changed_at < cutoff
        plan.days_in_stage = (timezone.now() - plan.stage_changed_at).days
        result.plans_count += 1
        result.stuck_count += plan.is_stuck
        column = by_key.get(plan.current_stage.key) if plan.current_stage else None
        if column is None:  # stage removed in later versions: keep it visible in the first column
            column = by_key[stages[0].key]
        column["plans"].append(plan)
        if plan.target_stage and plan.target_stage.key in by_key:
            by_key[plan.target_stage.key]["targets"] += 1
    result.columns = list(by_key.values())
    return result


def board_csms() -> QuerySet:
    """The board's owner filter: active CSMs and managers."""
    return User.objects.filter(is_active=True, role__in=[Role.CSM, Role.MANAGER])


def board_segments() -> QuerySet:
    """The board's segment filter: every segment an account has."""
    return Account.objects.exclude(segment="").order_by("segment").values_list("segment", flat=True).distinct()


# Section: the customer's shared plan


def shared_plan_detail(*, plan_id: int) -> SuccessPlan:
    """A shared plan with what the customer's page shows: goals with their owners, stages, vehicles."""
    return (
        SuccessPlan.objects.select_related("account", "current_stage", "target_stage", "owner")
        .prefetch_related(
            Prefetch("goals", queryset=PlanGoal.objects.select_related("owner_contact", "owner_user", "milestone")),
            "map_version__stages__vehicles",
        )
        .get(pk=plan_id)
    )


# The mechanism is core.signed_links (shared with reports' value report links).
ShareLinkInvalid = SignedLinkInvalid
ShareLinkGone = SignedLinkGone


def share_link_from_token(token: str) -> PlanShareLink:
    return signed_link_load(
        token, queryset=PlanShareLink.objects.select_related("plan__account", "contact"), salt=SHARE_SALT
    )


def contact_goals(*, contact_id: int, limit: int = 10) -> list[PlanGoal]:
    """The plan goals a customer contact owns, open ones first: one query."""
    return list(
        PlanGoal.objects.filter(owner_contact_id=contact_id)
        .select_related("plan", "stage")
        .order_by(F("completed_at").desc(nulls_first=True), F("due_date").asc(nulls_last=True), "id")[:limit]
    )
