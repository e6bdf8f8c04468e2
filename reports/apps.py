from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def reports_demo_step(ctx) -> None:
    """Last demo step: build the dashboards' pre-aggregates over the demo data just seeded."""
    from .services import reports_refresh

    log = reports_refresh(as_of=ctx.today)
    ctx.log(f"reports: pre-aggregated {log.periods} periods ({log.rows} rows)")


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Metrics and dashboards"

    def ready(self) -> None:
        from accounts.demo import register_demo_step
        from core.choices import Role
        from core.navigation import register_menu_item

        from . import receivers  # noqa: F401  (connects to accounts' and surveys' signals)

        register_menu_item("work", _("Home"), "reports:home", "home", order=10)
        register_menu_item("insights", _("Dashboard"), "reports:dashboard", "chart", order=10)
        register_menu_item("insights", _("Scorecards"), "reports:scorecards", "award", role=Role.MANAGER, order=20)
        register_menu_item("insights", _("Cohorts"), "reports:cohorts", "layers", order=30)

        register_demo_step("reports", reports_demo_step, phase=3)
