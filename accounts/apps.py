from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Customer accounts")

    def ready(self) -> None:
        from core.audit import register_audited_model

        # the audit trail: configuration, and the records whose deletion must be traced
        register_audited_model("accounts.TouchCadence")
        register_audited_model("accounts.Persona")
        register_audited_model("accounts.CustomFieldDefinition")
        register_audited_model("accounts.SavedView")
        register_audited_model("accounts.Account", actions={"delete"})
        register_audited_model("accounts.Contact", actions={"delete"})
        register_audited_model("accounts.AccountTeamMember")  # who may write an account (accounts.access)

        from core.choices import Role
        from core.navigation import register_menu_item
        from core.webhooks import register_webhook_event

        register_menu_item("work", _("Portfolio"), "accounts:portfolio", "grid", order=20)
        register_menu_item(
            "configure", _("Exchange rates"), "accounts:fx_rates", "refresh", role=Role.MANAGER, order=65
        )
        register_menu_item("configure", _("Data import"), "accounts:import_list", "upload", role=Role.CSM, order=60)
        register_menu_item(
            "configure", _("Custom fields"), "accounts:custom_field_list", "list", role=Role.ADMIN, order=65
        )
        from .custom_fields.panels import contact_custom_fields_panel_context, custom_fields_panel_context
        from .panels import AccountPanel, ContactPanel, register_contact_panel, register_panel

        register_contact_panel(
            ContactPanel(
                key="custom_fields",
                title=_("Custom fields"),
                template_name="accounts/partials/contact_custom_fields_panel.html",
                get_context=contact_custom_fields_panel_context,
                column="side",
                order=5,
            )
        )

        register_panel(
            AccountPanel(
                key="custom_fields",
                title=_("Custom fields"),
                template_name="accounts/partials/custom_fields_panel.html",
                get_context=custom_fields_panel_context,
                column="side",
                order=5,
            )
        )
        from .saved_views.filters import register_account_view_filters

        register_account_view_filters()
        register_webhook_event("account.churned", "An account's last paid subscription ended or was cancelled.")
