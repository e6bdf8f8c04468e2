from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class UsageConfig(AppConfig):
    name = "usage"
    verbose_name = gettext_lazy("Usage")

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from accounts.panels import ContactPanel, register_account_context, register_contact_panel

        from .contact_panel import contact_usage_panel_context
        from .selectors import account_usage_context

        # The account 360 page's usage KPI and chart (accounts renders it, usage knows the data).
        # Usage listens to no signal (no receivers module); it sends `usage.signals.events_ingested`.
        register_account_context("usage", account_usage_context)
        register_contact_panel(
            ContactPanel(
                key="usage",
                title=_("Product usage"),
                template_name="usage/contact_usage_panel.html",
                get_context=contact_usage_panel_context,
                column="main",
                order=10,
            )
        )
