from django.urls import path

from . import views, views_events

app_name = "health"

urlpatterns = [
    path("health/scorecards/", views.ScorecardListView.as_view(), name="scorecard_list"),
    path("health/scorecards/new/", views.ScorecardEditView.as_view(), name="scorecard_create"),
    path("health/scorecards/<int:pk>/", views.ScorecardEditView.as_view(), name="scorecard_edit"),
    path("health/scorecards/<int:pk>/delete/", views.ScorecardDeleteView.as_view(), name="scorecard_delete"),
    path("health/event-measures/", views_events.EventMeasureEditView.as_view(), name="event_measures"),
    path("health/event-measures/<int:pk>/", views_events.EventMeasureEditView.as_view(), name="event_measure_edit"),
    path(
        "health/event-measures/<int:pk>/delete/",
        views_events.EventMeasureDeleteView.as_view(),
        name="event_measure_delete",
    ),
    path("health/backtest/", views.BacktestView.as_view(), name="backtest"),
    path("health/backtest/scorecards/<int:pk>/apply/", views.SuggestionApplyView.as_view(), name="suggestion_apply"),
    path("health/accounts/<int:pk>/<slug:action>/", views.account_action, name="account_action"),
]
