"""Renewals, expansion and risk: opportunities on an admin-configured pipeline, the renewal
forecast, and risk / escalation records with reason codes.

One floor above playbooks (risks link tasks; playbook actions open risks through the playbooks
action registry) and below notifications and reports, which read it.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RenewalsConfig(AppConfig):
    name = "renewals"
    verbose_name = _("Renewals and risk")

    def ready(self) -> None:
        self._ready_opportunities()

    def _ready_opportunities(self) -> None:
        """Opportunities and forecast: menu items, the account panel, the sweep's receiver."""
        from accounts.panels import AccountPanel, register_panel
        from core.audit import register_audited_model
        from core.choices import Role
        from core.navigation import register_menu_item

        from . import receivers  # noqa: F401  (subscription changes sweep that account's renewals)
        from .panels import opportunities_panel_context

        register_audited_model("renewals.PipelineStage")  # the admin's pipeline, in the audit trail
        register_menu_item("work", _("Renewals"), "renewals:board", "refresh", order=40)
        register_menu_item("insights", _("Renewal forecast"), "renewals:forecast", "chart", order=40)
        register_menu_item("configure", _("Renewal pipeline"), "renewals:pipeline", "list", role=Role.ADMIN, order=40)
        register_panel(
            AccountPanel(
                key="opportunities",
                title=_("Opportunities"),
                template_name="renewals/opportunities/panel.html",
                get_context=opportunities_panel_context,
                column="side",
                order=25,
            )
        )
