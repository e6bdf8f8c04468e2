from django.urls import path

from . import views

app_name = "playbooks"

urlpatterns = [
    # Task inbox (CSMs) and team view (managers)
    path("tasks/", views.InboxView.as_view(), name="inbox"),
    path("tasks/team/", views.TeamView.as_view(), name="team"),
    path("tasks/bulk/", views.TaskBulkView.as_view(), name="task_bulk"),
    path("tasks/new/", views.TaskCreateView.as_view(), name="task_create"),
    path("tasks/new/accounts/", views.TaskAccountSearchView.as_view(), name="task_account_search"),
    path("tasks/counts/", views.TaskCountsView.as_view(), name="task_counts"),
    path("tasks/<int:pk>/", views.TaskDetailView.as_view(), name="task_detail"),
    path("tasks/<int:pk>/complete/", views.TaskCompleteView.as_view(), name="task_complete"),
    path("tasks/<int:pk>/snooze/", views.TaskSnoozeView.as_view(), name="task_snooze"),
    path("tasks/<int:pk>/reassign/", views.TaskReassignView.as_view(), name="task_reassign"),
    path("tasks/emails/<int:pk>/approve/", views.EmailApproveView.as_view(), name="email_approve"),
    path("tasks/emails/<int:pk>/reject/", views.EmailRejectView.as_view(), name="email_reject"),
    # Playbook builder (admins)
    path("playbooks/", views.PlaybookListView.as_view(), name="playbook_list"),
    path("playbooks/new/", views.PlaybookFormView.as_view(), name="playbook_create"),
    path("playbooks/preview/", views.PlaybookPreviewView.as_view(), name="playbook_preview_new"),
    path("playbooks/<int:pk>/", views.PlaybookDetailView.as_view(), name="playbook_detail"),
    path("playbooks/<int:pk>/edit/", views.PlaybookFormView.as_view(), name="playbook_edit"),
    path("playbooks/<int:pk>/preview/", views.PlaybookPreviewView.as_view(), name="playbook_preview"),
    path("playbooks/<int:pk>/history/", views.PlaybookHistoryView.as_view(), name="playbook_history"),
    path("playbooks/<int:pk>/toggle/", views.PlaybookToggleView.as_view(), name="playbook_toggle"),
    path("playbooks/<int:pk>/run/", views.PlaybookRunView.as_view(), name="playbook_run"),
    path("playbooks/cadence/", views.CadenceView.as_view(), name="cadence"),
    path("playbooks/templates/task/new/", views.TaskTemplateFormView.as_view(), name="task_template_create"),
    path("playbooks/templates/task/<int:pk>/", views.TaskTemplateFormView.as_view(), name="task_template_edit"),
    path("playbooks/templates/email/new/", views.EmailTemplateFormView.as_view(), name="email_template_create"),
    path("playbooks/templates/email/<int:pk>/", views.EmailTemplateFormView.as_view(), name="email_template_edit"),
    path(
        "playbooks/templates/email/<int:pk>/translations/<str:lang>/",
        views.EmailTemplateTranslationsView.as_view(),
        name="email_template_translations",
    ),
]
