from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Customer accounts"

    def ready(self) -> None:
        from core.choices import Role
        from core.navigation import register_menu_item
        from core.webhooks import register_webhook_event

        register_menu_item("work", _("Portfolio"), "accounts:portfolio", "grid", order=20)
        register_menu_item("configure", _("Data import"), "accounts:import_list", "upload", role=Role.CSM, order=60)
        from .saved_views.filters import register_account_view_filters

        register_account_view_filters()
        register_webhook_event("account.churned", "An account's last paid subscription ended or was cancelled.")
