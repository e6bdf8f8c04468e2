from django.urls import path

from .views import forecast, opportunities, risks

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

# risks and reasons
urlpatterns += [
    path("risks/", risks.RiskListView.as_view(), name="risk_list"),
    path("risks/report/", risks.ArrAtRiskReportView.as_view(), name="risk_report"),
    path("risks/lost/", risks.LostReasonsReportView.as_view(), name="lost_report"),
    path("risks/new/<int:account_id>/", risks.RiskCreateView.as_view(), name="risk_create"),
    path("risks/<int:pk>/", risks.RiskDetailView.as_view(), name="risk_detail"),
    path("risks/<int:pk>/close/", risks.RiskCloseView.as_view(), name="risk_close"),
    path("risks/<int:pk>/tasks/", risks.RiskTaskLinkView.as_view(), name="risk_task_link"),
    path("risks/reasons/", risks.ReasonCodeListView.as_view(), name="reason_codes"),
    path("risks/reasons/new/", risks.ReasonCodeFormView.as_view(), name="reason_code_create"),
    path("risks/reasons/<int:pk>/", risks.ReasonCodeFormView.as_view(), name="reason_code_edit"),
    path("risks/prompts/<int:pk>/", risks.ReasonPromptAnswerView.as_view(), name="prompt_answer"),
    path("risks/subscriptions/<int:pk>/loss/", risks.SubscriptionLossView.as_view(), name="subscription_loss"),
]
