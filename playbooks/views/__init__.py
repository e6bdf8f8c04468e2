"""Browser UI of the playbooks app, built from the core view toolkit (core/views/toolkit.py).

- `inbox`: the task inbox (CSMs), a task's page, the counts a page fetches.
- `task_actions`: complete / snooze / reassign (one URL each), the bulk bar, email approve / reject.
- `task_create`: "New task" by hand and its account picker.
- `team`: the team page (managers).
- `builder`: the playbook list, form, preview, page, history, enable / disable, run now (admins).
- `templates`, `cadence`: task and email templates, the touch cadence (admins).
"""

from .builder import (
    RUN_ENROLMENTS_SHOWN,
    PlaybookDetailView,
    PlaybookFormView,
    PlaybookHistoryView,
    PlaybookListView,
    PlaybookPreviewView,
    PlaybookRunView,
    PlaybookToggleView,
)
from .cadence import CadenceView
from .inbox import InboxView, TaskCountsView, TaskDetailView
from .task_actions import (
    EmailApproveView,
    EmailRejectView,
    TaskBulkView,
    TaskCompleteView,
    TaskReassignView,
    TaskSnoozeView,
)
from .task_create import TaskAccountSearchView, TaskCreateView
from .team import TeamView
from .templates import EmailTemplateFormView, EmailTemplateTranslationsView, TaskTemplateFormView

__all__ = [
    "RUN_ENROLMENTS_SHOWN",
    "CadenceView",
    "EmailApproveView",
    "EmailRejectView",
    "EmailTemplateFormView",
    "EmailTemplateTranslationsView",
    "InboxView",
    "PlaybookDetailView",
    "PlaybookFormView",
    "PlaybookHistoryView",
    "PlaybookListView",
    "PlaybookPreviewView",
    "PlaybookRunView",
    "PlaybookToggleView",
    "TaskAccountSearchView",
    "TaskBulkView",
    "TaskCompleteView",
    "TaskCountsView",
    "TaskCreateView",
    "TaskDetailView",
    "TaskReassignView",
    "TaskSnoozeView",
    "TaskTemplateFormView",
    "TeamView",
]
