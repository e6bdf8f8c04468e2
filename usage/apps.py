from django.apps import AppConfig


class UsageConfig(AppConfig):
    name = "usage"
    verbose_name = "Usage"

    def ready(self) -> None:
        from accounts.panels import register_account_context

        from .selectors import account_usage_context

        # The account 360 page's usage KPI and chart (accounts renders it, usage knows the data).
        # Usage listens to no signal (no receivers module); it sends `usage.signals.events_ingested`.
        register_account_context("usage", account_usage_context)
