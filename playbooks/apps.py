from django.apps import AppConfig


class PlaybooksConfig(AppConfig):
    name = "playbooks"
    verbose_name = "Playbooks and tasks"

    def ready(self) -> None:
        from accounts.panels import AccountPanel, register_panel
        from core.navigation import register_badge

        from . import signals
        from .panels import tasks_panel_context
        from .selectors import nav_open_task_count

        signals.connect()
        register_badge("playbooks:inbox", nav_open_task_count)
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
