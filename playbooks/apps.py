from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlaybooksConfig(AppConfig):
    name = "playbooks"
    verbose_name = "Playbooks and tasks"

    def ready(self) -> None:
        from core.audit import register_audited_model

        for label in (
            "playbooks.TaskTemplate",
            "playbooks.EmailTemplate",
            "playbooks.Playbook",
            "playbooks.PlaybookVersion",
        ):
            register_audited_model(label)  # the audit trail

        from accounts.panels import AccountPanel, ContactPanel, register_contact_panel, register_panel
        from accounts.reassign import ReassignStep, register_reassign_step
        from core.choices import Role
        from core.navigation import register_badge, register_menu_item
        from core.webhooks import register_webhook_event

        from . import receivers  # noqa: F401  (connects to accounts', health's and surveys' signals)
        from .panels import contact_tasks_panel_context, tasks_panel_context
        from .reassign import tasks_follow_accounts, tasks_give_back
        from .selectors import nav_open_task_count

        register_panel(
            AccountPanel(
                key="tasks",
                title="Tasks",
                template_name="playbooks/partials/account_tasks_panel.html",
                get_context=tasks_panel_context,
                column="side",
                order=30,
            )
        )
        register_contact_panel(
            ContactPanel(
                key="tasks",
                title=_("Tasks about them"),
                template_name="playbooks/partials/contact_tasks_panel.html",
                get_context=contact_tasks_panel_context,
                column="side",
                order=30,
            )
        )
        register_menu_item("work", _("Tasks"), "playbooks:inbox", "check", order=30)
        register_menu_item("insights", _("Team load"), "playbooks:team", "users", role=Role.MANAGER, order=60)
        register_menu_item("configure", _("Playbooks"), "playbooks:playbook_list", "zap", role=Role.ADMIN, order=20)
        register_badge("playbooks:inbox", nav_open_task_count)
        register_webhook_event("task.created", "A playbook or a person created a task for a CSM.")
        register_reassign_step(
            ReassignStep(
                key="tasks", label=_("Open tasks"), apply=tasks_follow_accounts, undo=tasks_give_back, order=10
            )
        )
