from django.urls import path  # noqa: F401

from .views import risks

app_name = "renewals"

urlpatterns: list = []

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
