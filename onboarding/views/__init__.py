"""Browser pages of onboarding, built from the `core.views` toolkit, one module per area:

- `maps`: the success map editor (admins), one URL per change of a draft;
- `checklists`: checklist templates and the team settings (admins);
- `board`: the success plan board and the TTFV report (everyone);
- `account`: the account's success page and its panels' actions (CSMs), one URL per action;
- `translations`: the editors' texts in other languages (language tabs);
- `shared_plan`: the customer's shared plan (public, behind a signed token).
"""

from .account import (
    AccountSuccessView,
    ChecklistItemToggleView,
    ChecklistStartView,
    GoalCreateView,
    GoalToggleView,
    PlanStagesView,
    PlanStartView,
    ShareLinkCreateView,
    ShareLinkRevokeView,
)
from .board import BoardView, TTFVView
from .checklists import (
    ChecklistCreateView,
    ChecklistEditView,
    ChecklistItemCreateView,
    ChecklistItemDeleteView,
    ChecklistListView,
    ChecklistUpdateView,
    OnboardingSettingsView,
)
from .maps import (
    MapCreateView,
    MapDraftView,
    MapEditView,
    MapListView,
    MapPublishView,
    MilestoneCreateView,
    MilestoneDeleteView,
    PersonaCreateView,
    StageCreateView,
    StageDeleteView,
    StageMoveView,
    StageUpdateView,
    VehicleCreateView,
    VehicleDeleteView,
)
from .shared_plan import shared_plan
from .translations import ChecklistTranslationsView, MapTranslationsView

__all__ = [
    "ChecklistTranslationsView",
    "MapTranslationsView",
    "AccountSuccessView",
    "BoardView",
    "ChecklistCreateView",
    "ChecklistEditView",
    "ChecklistItemCreateView",
    "ChecklistItemDeleteView",
    "ChecklistItemToggleView",
    "ChecklistListView",
    "ChecklistStartView",
    "ChecklistUpdateView",
    "GoalCreateView",
    "GoalToggleView",
    "MapCreateView",
    "MapDraftView",
    "MapEditView",
    "MapListView",
    "MapPublishView",
    "MilestoneCreateView",
    "MilestoneDeleteView",
    "OnboardingSettingsView",
    "PersonaCreateView",
    "PlanStagesView",
    "PlanStartView",
    "ShareLinkCreateView",
    "ShareLinkRevokeView",
    "StageCreateView",
    "StageDeleteView",
    "StageMoveView",
    "StageUpdateView",
    "TTFVView",
    "VehicleCreateView",
    "VehicleDeleteView",
    "shared_plan",
]
