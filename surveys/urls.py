from django.urls import path

from .views import builder, public, report, sending, themes

app_name = "surveys"

urlpatterns = [
    # Admin builder and reports
    path("surveys/", builder.SurveyListView.as_view(), name="survey_list"),
    path("surveys/new/", builder.SurveyFormView.as_view(), name="survey_create"),
    path("surveys/<int:pk>/edit/", builder.SurveyFormView.as_view(), name="survey_edit"),
    path("surveys/<int:pk>/send/", sending.SurveySendView.as_view(), name="survey_send"),
    path("surveys/<int:pk>/budget-note/", sending.SurveyBudgetNoteView.as_view(), name="budget_note"),
    path("surveys/<int:pk>/sends/<int:job_pk>/", sending.SendJobView.as_view(), name="send_job"),
    path("surveys/<int:pk>/sends/<int:job_pk>/resume/", sending.SendJobResumeView.as_view(), name="send_job_resume"),
    path("surveys/workspaces/new/", builder.WorkspaceFormView.as_view(), name="workspace_create"),
    path("surveys/workspaces/<int:pk>/edit/", builder.WorkspaceFormView.as_view(), name="workspace_edit"),
    path("surveys/report/", report.SurveyReportView.as_view(), name="report"),
    path("surveys/report/themes/", themes.SurveyThemesView.as_view(), name="report_themes"),
    # The embedded widget's endpoints are in surveys/widget_urls.py (mounted first, at /widget/)
    # Email and link surveys (public, signed tokens)
    path("s/e/<str:token>/<int:score>/", public.email_click, name="email_click"),
    path("s/e/<str:token>/", public.email_comment, name="email_comment"),
    path("s/<str:slug>/", public.public_link, name="public_link"),
]
