from django.urls import path

from . import views

app_name = "onboarding"

urlpatterns = [
    path("success/", views.BoardView.as_view(), name="board"),
    path("success/ttfv/", views.TTFVView.as_view(), name="ttfv"),
    # success maps (admins): one URL per change
    path("success/maps/", views.MapListView.as_view(), name="map_list"),
    path("success/maps/new/", views.MapCreateView.as_view(), name="map_create"),
    path("success/maps/personas/new/", views.PersonaCreateView.as_view(), name="persona_create"),
    path("success/maps/<int:pk>/", views.MapEditView.as_view(), name="map_edit"),
    path("success/maps/<int:pk>/draft/", views.MapDraftView.as_view(), name="map_draft"),
    path("success/maps/<int:pk>/publish/", views.MapPublishView.as_view(), name="map_publish"),
    path("success/maps/<int:pk>/stages/new/", views.StageCreateView.as_view(), name="stage_create"),
    path(
        "success/maps/<int:pk>/versions/<int:number>/translations/<str:lang>/",
        views.MapTranslationsView.as_view(),
        name="map_translations",
    ),
    path("success/stages/<int:pk>/edit/", views.StageUpdateView.as_view(), name="stage_update"),
    path("success/stages/<int:pk>/move/", views.StageMoveView.as_view(), name="stage_move"),
    path("success/stages/<int:pk>/delete/", views.StageDeleteView.as_view(), name="stage_delete"),
    path("success/stages/<int:pk>/milestones/new/", views.MilestoneCreateView.as_view(), name="milestone_create"),
    path("success/milestones/<int:pk>/delete/", views.MilestoneDeleteView.as_view(), name="milestone_delete"),
    path("success/stages/<int:pk>/vehicles/new/", views.VehicleCreateView.as_view(), name="vehicle_create"),
    path("success/vehicles/<int:pk>/delete/", views.VehicleDeleteView.as_view(), name="vehicle_delete"),
    # checklist templates and team settings (admins)
    path("success/checklists/", views.ChecklistListView.as_view(), name="checklist_list"),
    path("success/checklists/new/", views.ChecklistCreateView.as_view(), name="checklist_create"),
    path("success/checklists/settings/", views.OnboardingSettingsView.as_view(), name="settings_update"),
    path("success/checklists/<int:pk>/", views.ChecklistEditView.as_view(), name="checklist_edit"),
    path("success/checklists/<int:pk>/edit/", views.ChecklistUpdateView.as_view(), name="checklist_update"),
    path(
        "success/checklists/<int:pk>/items/new/", views.ChecklistItemCreateView.as_view(), name="checklist_item_create"
    ),
    path(
        "success/checklists/<int:pk>/translations/<str:lang>/",
        views.ChecklistTranslationsView.as_view(),
        name="checklist_translations",
    ),
    path(
        "success/checklist-items/<int:pk>/delete/",
        views.ChecklistItemDeleteView.as_view(),
        name="checklist_item_delete",
    ),
    # the account's success page and its panels (CSMs): one URL per action
    path("success/accounts/<int:account_id>/", views.AccountSuccessView.as_view(), name="account"),
    path("success/accounts/<int:account_id>/plan/start/", views.PlanStartView.as_view(), name="plan_start"),
    path("success/accounts/<int:account_id>/plan/stages/", views.PlanStagesView.as_view(), name="plan_stages"),
    path("success/accounts/<int:account_id>/goals/new/", views.GoalCreateView.as_view(), name="goal_create"),
    path(
        "success/accounts/<int:account_id>/goals/<int:pk>/toggle/", views.GoalToggleView.as_view(), name="goal_toggle"
    ),
    path("success/accounts/<int:account_id>/links/new/", views.ShareLinkCreateView.as_view(), name="link_create"),
    path(
        "success/accounts/<int:account_id>/links/<int:pk>/revoke/",
        views.ShareLinkRevokeView.as_view(),
        name="link_revoke",
    ),
    path(
        "success/accounts/<int:account_id>/checklist/start/",
        views.ChecklistStartView.as_view(),
        name="checklist_start",
    ),
    path(
        "success/accounts/<int:account_id>/items/<int:pk>/toggle/",
        views.ChecklistItemToggleView.as_view(),
        name="item_toggle",
    ),
    # the customer's shared plan (public)
    path("plan/<str:token>/", views.shared_plan, name="shared_plan"),
]
