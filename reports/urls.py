from django.urls import path

from . import views, views_value

app_name = "reports"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("scorecards/", views.ScorecardsView.as_view(), name="scorecards"),
    path("cohorts/", views.CohortsView.as_view(), name="cohorts"),
    # value reports (QBR / EBR)
    path("value/accounts/<int:account_id>/", views_value.ValueReportListView.as_view(), name="value_reports"),
    path(
        "value/accounts/<int:account_id>/new/", views_value.ValueReportCreateView.as_view(), name="value_report_create"
    ),
    path("value/<int:pk>/", views_value.ValueReportView.as_view(), name="value_report"),
    path("value/<int:pk>/headings/", views_value.ValueReportHeadingsView.as_view(), name="value_report_headings"),
    path("value/<int:pk>/pdf/", views_value.ValueReportPdfView.as_view(), name="value_report_pdf"),
    path("value/<int:pk>/links/", views_value.ValueLinkCreateView.as_view(), name="value_link_create"),
    path("value/links/<int:pk>/revoke/", views_value.ValueLinkRevokeView.as_view(), name="value_link_revoke"),
    path("value/s/<str:token>/", views_value.value_shared, name="value_shared"),
    path("value/s/<str:token>/pdf/", views_value.value_shared_pdf, name="value_shared_pdf"),
]
