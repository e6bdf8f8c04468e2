from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Metrics and dashboards"

    def ready(self) -> None:
        from core.choices import Role
        from core.navigation import register_menu_item

        from . import receivers  # noqa: F401  (connects to accounts' and surveys' signals)

        register_menu_item("work", _("Home"), "reports:home", "home", order=10)
        register_menu_item("insights", _("Dashboard"), "reports:dashboard", "chart", order=10)
        register_menu_item("insights", _("Scorecards"), "reports:scorecards", "award", role=Role.MANAGER, order=20)
        register_menu_item("insights", _("Cohorts"), "reports:cohorts", "layers", order=30)
