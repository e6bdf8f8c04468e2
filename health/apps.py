from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "health"
    verbose_name = "Health scores"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects to accounts.signals)
        from .measures import register_health_measures
        from .panels import register_health_panel

        register_health_measures()
        register_health_panel()
