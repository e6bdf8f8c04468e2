from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Metrics and dashboards"

    def ready(self) -> None:
        from . import receivers  # noqa: F401
