from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Metrics and dashboards")

    def ready(self) -> None:
        from accounts.panels import AccountPanel, register_panel
        from core.choices import Role
        from core.navigation import register_menu_item

        from . import receivers  # noqa: F401  (connects to accounts' and surveys' signals)
        from .panels import value_reports_panel_context

        register_panel(
            AccountPanel(
                key="value_reports",
                title=_("Value reports"),
                template_name="reports/partials/value_panel.html",
                get_context=value_reports_panel_context,
                column="side",
                order=40,
            )
        )
        register_menu_item("work", _("Home"), "reports:home", "home", order=10)
        register_menu_item("insights", _("Dashboard"), "reports:dashboard", "chart", order=10)
        register_menu_item("insights", _("Scorecards"), "reports:scorecards", "award", role=Role.MANAGER, order=20)
        register_menu_item("insights", _("Cohorts"), "reports:cohorts", "layers", order=30)
