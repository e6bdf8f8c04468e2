"""Writes for playbooks and the task inbox. Views, the API, Celery tasks and the command call
these; nothing else writes the models. One module per idea: `playbooks` (save, enable), `runs`
(evaluate the enabled playbooks), `templates`, `cadence`, `tasks`, `manual_tasks` (a task by
hand), `emails`, `outbound`."""

from .cadence import touch_cadence_set
from .emails import email_message_approve, email_message_reject, email_message_send
from .manual_tasks import MAX_DUE_DAYS, task_create, task_create_for_owner
from .outbound import outbound_post_send
from .playbooks import PLAYBOOK_FIELDS, playbook_save, playbook_set_enabled
from .runs import playbooks_run, playbooks_run_event
from .tasks import (
    CHURNED_NOTE,
    task_complete,
    task_reassign,
    task_reopen_snoozed,
    task_snooze,
    tasks_bulk,
    tasks_cancel_churned,
)
from .templates import email_template_save, email_template_translations_set, task_template_save

__all__ = [
    "CHURNED_NOTE",
    "MAX_DUE_DAYS",
    "PLAYBOOK_FIELDS",
    "email_message_approve",
    "email_message_reject",
    "email_message_send",
    "email_template_save",
    "email_template_translations_set",
    "outbound_post_send",
    "playbook_save",
    "playbook_set_enabled",
    "playbooks_run",
    "playbooks_run_event",
    "task_complete",
    "task_create",
    "task_create_for_owner",
    "task_reassign",
    "task_reopen_snoozed",
    "task_snooze",
    "task_template_save",
    "tasks_bulk",
    "tasks_cancel_churned",
    "touch_cadence_set",
]
