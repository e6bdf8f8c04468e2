from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Customer accounts"

    def ready(self) -> None:
        from core.audit import register_audited_model

        # the audit trail: configuration, and the records whose deletion must be traced
        register_audited_model("accounts.TouchCadence")
        register_audited_model("accounts.Persona")
        register_audited_model("accounts.Account", actions={"delete"})
        register_audited_model("accounts.Contact", actions={"delete"})

        from core.choices import Role
        from core.navigation import register_menu_item
        from core.webhooks import register_webhook_event

        register_menu_item("work", _("Portfolio"), "accounts:portfolio", "grid", order=20)
        register_menu_item(
            "configure", _("Exchange rates"), "accounts:fx_rates", "refresh", role=Role.MANAGER, order=65
        )
        register_menu_item("configure", _("Data import"), "accounts:import_list", "upload", role=Role.CSM, order=60)
        register_webhook_event("account.churned", "An account's last paid subscription ended or was cancelled.")
