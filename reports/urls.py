from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("scorecards/", views.ScorecardsView.as_view(), name="scorecards"),
    path("cohorts/", views.CohortsView.as_view(), name="cohorts"),
]
