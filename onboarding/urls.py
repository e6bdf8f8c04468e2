from django.urls import path

from . import views

app_name = "onboarding"

urlpatterns = [
    path("success/", views.BoardView.as_view(), name="board"),
    path("success/ttfv/", views.TTFVView.as_view(), name="ttfv"),
    path("success/maps/", views.MapListView.as_view(), name="map_list"),
    path("success/maps/<int:pk>/", views.MapEditView.as_view(), name="map_edit"),
    path("success/checklists/", views.ChecklistListView.as_view(), name="checklist_list"),
    path("success/checklists/<int:pk>/", views.ChecklistEditView.as_view(), name="checklist_edit"),
    path("success/accounts/<int:account_id>/", views.AccountSuccessView.as_view(), name="account"),
    path("plan/<str:token>/", views.shared_plan, name="shared_plan"),
]
