"""The account page's success plan and onboarding panels, cached by accounts.panel_cache (issue 23):
what else each depends on for the reader (`cache_vary`), and every write they show announcing itself
(`account_panels_changed`, after commit).

What no signal reaches is read live into the key instead of being announced: the account's contacts
(ingestion upserts them in bulk, without signals; the goals, links and goal-owner picker show their
names), as their count and newest `updated_at`; the time to first value (it moves when the value
event arrives through ingestion), as computed; the account's tier (the checklist's "by tier" choice).
The plan's "viewed N minutes ago" and a link's expiry move with the clock: PANEL_CACHE_SECONDS bounds
them, as for the health card.

Writes announced here: each row the panels show saved or deleted (plans, goals, share links,
checklists, their items: post_save / post_delete); the bulk writes that send no signal (a plan's goals
created with it, a batch of checklists started, usage events and metrics completing items and goals,
checklists completed or reopened, plans following a reassigned account, a customer opening a shared
link); and what every account's panels show (users' names and roles, maps, stages, milestones,
checklist templates, the onboarding settings, their translations): every account's panels."""

from collections.abc import Iterable

from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.access import account_can_write
from accounts.models import Contact, Persona
from accounts.panel_cache import account_panels_changed
from core.models import User

from .models import (
    AccountChecklist,
    AccountChecklistItem,
    ChecklistTemplate,
    Milestone,
    OnboardingSettings,
    PlanGoal,
    PlanShareLink,
    Stage,
    SuccessMap,
    SuccessMapVersion,
    SuccessPlan,
)

PLAN = "success_plan"
CHECKLIST = "onboarding"
KEYS = (PLAN, CHECKLIST)


def _contacts_state(account_id: int) -> tuple:
    row = Contact.objects.filter(account_id=account_id).aggregate(n=Count("id"), at=Max("updated_at"))
    return (row["n"], row["at"].isoformat() if row["at"] else "")


def success_plan_vary(request, account) -> tuple:
    """The actions show to those who may write the account; the forms carry the page's address
    back (`next`) and the share links the site's address; the contacts' names show on goals, links
    and the owner picker."""
    return (
        int(account_can_write(request.user, account)),
        request.build_absolute_uri(request.get_full_path()),
        *_contacts_state(account.pk),
    )


def onboarding_vary(request, account) -> tuple:
    """As the plan, with the account's tier (the "by tier" choice) and its time to first value
    (computed live: the value event arrives through ingestion, which announces nothing)."""
    from .metrics import ttfv

    value = ttfv(account_ids=[account.pk]).for_account(account.pk)
    reached = None if value is None else (value.days, value.value_event, value.first_value_at)
    return (int(account_can_write(request.user, account)), request.get_full_path(), account.tier, reached)


def plans_changed(account_ids: Iterable[int] | None) -> None:
    account_panels_changed(account_ids=account_ids, keys=[PLAN])


def checklists_changed(account_ids: Iterable[int] | None) -> None:
    account_panels_changed(account_ids=account_ids, keys=[CHECKLIST])


def plans_changed_by_id(plan_ids: Iterable[int]) -> None:
    ids = list(plan_ids)
    if ids:
        plans_changed(SuccessPlan.objects.filter(pk__in=ids).values_list("account_id", flat=True))


def checklists_changed_by_id(checklist_ids: Iterable[int]) -> None:
    ids = list(checklist_ids)
    if ids:
        checklists_changed(AccountChecklist.objects.filter(pk__in=ids).values_list("account_id", flat=True))


# Section: rows saved or deleted one at a time


@receiver(post_save, sender=SuccessPlan, dispatch_uid="plan_panel_plan_saved")
@receiver(post_delete, sender=SuccessPlan, dispatch_uid="plan_panel_plan_deleted")
def on_plan_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        plans_changed([instance.account_id])


@receiver(post_save, sender=PlanGoal, dispatch_uid="plan_panel_goal_saved")
@receiver(post_save, sender=PlanShareLink, dispatch_uid="plan_panel_link_saved")
def on_plan_row_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        plans_changed_by_id([instance.plan_id])


@receiver(post_delete, sender=PlanGoal, dispatch_uid="plan_panel_goal_deleted")
@receiver(post_delete, sender=PlanShareLink, dispatch_uid="plan_panel_link_deleted")
def on_plan_row_deleted(sender, instance, **kwargs):
    plans_changed_by_id([instance.plan_id])  # the plan may be gone too (cascade): its delete announced it


@receiver(post_save, sender=AccountChecklist, dispatch_uid="checklist_panel_checklist_saved")
@receiver(post_delete, sender=AccountChecklist, dispatch_uid="checklist_panel_checklist_deleted")
def on_checklist_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        checklists_changed([instance.account_id])


@receiver(post_save, sender=AccountChecklistItem, dispatch_uid="checklist_panel_item_saved")
@receiver(post_delete, sender=AccountChecklistItem, dispatch_uid="checklist_panel_item_deleted")
def on_checklist_item_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        checklists_changed_by_id([instance.checklist_id])


# Section: what every account's panels show


@receiver(post_save, sender=SuccessMap, dispatch_uid="onboarding_panels_map_saved")
@receiver(post_save, sender=SuccessMapVersion, dispatch_uid="onboarding_panels_version_saved")
@receiver(post_save, sender=Stage, dispatch_uid="onboarding_panels_stage_saved")
@receiver(post_delete, sender=Stage, dispatch_uid="onboarding_panels_stage_deleted")
@receiver(post_save, sender=Milestone, dispatch_uid="onboarding_panels_milestone_saved")
@receiver(post_delete, sender=Milestone, dispatch_uid="onboarding_panels_milestone_deleted")
@receiver(post_save, sender=Persona, dispatch_uid="onboarding_panels_persona_saved")
def on_map_saved(sender, raw=False, **kwargs):
    """Map names, versions, stage names and milestone kinds show on every plan; published maps on
    every "start a plan" form."""
    if not raw:
        plans_changed(None)


@receiver(post_save, sender=ChecklistTemplate, dispatch_uid="onboarding_panels_template_saved")
@receiver(post_delete, sender=ChecklistTemplate, dispatch_uid="onboarding_panels_template_deleted")
@receiver(post_save, sender=OnboardingSettings, dispatch_uid="onboarding_panels_settings_saved")
def on_checklist_settings_saved(sender, raw=False, **kwargs):
    """Active templates show on every "start a checklist" form."""
    if not raw:
        checklists_changed(None)


@receiver(post_save, sender=User, dispatch_uid="onboarding_panels_user_saved")
@receiver(post_delete, sender=User, dispatch_uid="onboarding_panels_user_deleted")
def on_user_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    """Users' names show as plan, goal and item owners and in the owner picker (active, not
    read-only); a sign-in (last_login) or a reading language changes none of that."""
    if raw or (update_fields is not None and set(update_fields) <= {"last_login", "language"}):
        return
    account_panels_changed(account_ids=None, keys=KEYS)
