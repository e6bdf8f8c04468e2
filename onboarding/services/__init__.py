"""Writes for success maps, success plans and onboarding checklists (STYLE.md §2), one module
per idea:

- `maps`: personas, success maps, their versions (draft, publish), stages, milestones, vehicles;
- `plans`: success plans, their stages and goals, and the advance past completed stages;
- `share_links`: the customer's signed, revocable share links and the goals ticked through them;
- `checklists`: team settings, checklist templates, checklists started and ticked;
- `translations`: stage, milestone, vehicle and checklist item texts in other languages;
- `progress`: completion by usage events and metric conditions, and the periodic sweep.

Playbooks' actions call `checklist_start` and `success_plan_start`; ingestion reaches
`onboarding_events_apply` through `usage.signals.events_ingested` (see signals.py).
Every public name is re-exported here: `from onboarding.services import checklist_start`."""

from ..selectors import SHARE_SALT
from .checklists import (
    checklist_item_toggle,
    checklist_start,
    checklist_template_create,
    checklist_template_for,
    checklist_template_item_create,
    checklist_template_item_delete,
    checklist_template_update,
    checklists_refresh,
    checklists_start,
    contract_start_for,
    contract_starts_for,
    onboarding_settings_update,
)
from .maps import (
    milestone_create,
    milestone_delete,
    persona_create,
    stage_create,
    stage_delete,
    stage_move,
    stage_update,
    success_map_create,
    success_map_draft,
    success_map_publish,
    vehicle_create,
    vehicle_delete,
)
from .plans import (
    events_apply_soon,
    plan_goal_create,
    plan_goal_toggle,
    plan_stages_set,
    plans_advance,
    success_plan_start,
)
from .progress import onboarding_events_apply, onboarding_metrics_apply, onboarding_sweep
from .share_links import customer_goal_toggle, share_link_create, share_link_revoke, share_link_token, share_link_viewed
from .translations import checklist_template_translations_set, map_version_translations_set

__all__ = [
    "SHARE_SALT",
    "checklist_item_toggle",
    "checklist_start",
    "checklist_template_create",
    "checklist_template_for",
    "checklist_template_item_create",
    "checklist_template_item_delete",
    "checklist_template_translations_set",
    "checklist_template_update",
    "checklists_refresh",
    "checklists_start",
    "contract_start_for",
    "contract_starts_for",
    "customer_goal_toggle",
    "events_apply_soon",
    "map_version_translations_set",
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
    "plans_advance",
    "share_link_create",
    "share_link_revoke",
    "share_link_token",
    "share_link_viewed",
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
