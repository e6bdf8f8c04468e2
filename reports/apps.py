from django.apps import AppConfig


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

        from . import receivers  # noqa: F401

        register_demo_step("reports", reports_demo_step, phase=3)
