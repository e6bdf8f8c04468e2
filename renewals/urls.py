from django.urls import path

from .views import forecast, opportunities

app_name = "renewals"

urlpatterns: list = [
    # opportunities and forecast
    path("renewals/", opportunities.OpportunityBoardView.as_view(), name="board"),
    path("renewals/opportunities/", opportunities.OpportunityListView.as_view(), name="list"),
    path("renewals/opportunities/new/", opportunities.OpportunityCreateView.as_view(), name="create"),
    path("renewals/opportunities/<int:pk>/edit/", opportunities.OpportunityEditView.as_view(), name="edit"),
    path("renewals/opportunities/<int:pk>/move/", opportunities.OpportunityMoveView.as_view(), name="move"),
    path("renewals/pipeline/", opportunities.PipelineView.as_view(), name="pipeline"),
    path("renewals/pipeline/new/", opportunities.PipelineStageSaveView.as_view(), name="stage_create"),
    path("renewals/pipeline/<int:pk>/edit/", opportunities.PipelineStageSaveView.as_view(), name="stage_edit"),
    path("renewals/pipeline/<int:pk>/delete/", opportunities.PipelineStageDeleteView.as_view(), name="stage_delete"),
    path("renewals/forecast/", forecast.ForecastView.as_view(), name="forecast"),
]
