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
        from . import receivers  # noqa: F401  (subscription changes: the renewal sweep and reason prompts)

        self._ready_opportunities()
        self._ready_risks()

    def _ready_opportunities(self) -> None:
        """Opportunities and forecast: menu items, the account panel, the sweep's receiver."""
        from accounts.panels import AccountPanel, register_panel
        from accounts.reassign import ReassignStep, register_reassign_step
        from core.audit import register_audited_model
        from core.choices import Role
        from core.navigation import register_menu_item

        from .panels import opportunities_panel_context
        from .reassign import opportunities_follow_accounts, opportunities_give_back

        register_audited_model("renewals.PipelineStage")  # the admin's pipeline, in the audit trail
        register_reassign_step(  # open opportunities follow their account to its new owner
            ReassignStep(
                key="opportunities",
                label=_("Renewal opportunities"),
                apply=opportunities_follow_accounts,
                undo=opportunities_give_back,
                order=30,
            )
        )
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

    def _ready_risks(self) -> None:
        """Risks and reasons: two account panels, the pages in the sidebar, the playbook
        action "open a risk", and the subscription_changed receiver (reason prompts)."""
        from accounts.panels import AccountPanel, register_panel
        from core.audit import register_audited_model
        from core.choices import Role
        from core.navigation import register_menu_item
        from playbooks.actions import register_action

        from .actions import open_risk_action
        from .panels_risks import reasons_panel_context, risks_panel_context

        register_panel(
            AccountPanel(
                key="risks",
                title=_("Risks"),
                template_name="renewals/risks/partials/account_risks_panel.html",
                get_context=risks_panel_context,
                column="side",
                order=25,
            )
        )
        register_panel(
            AccountPanel(
                key="lost_reasons",
                title=_("Why revenue was lost"),
                template_name="renewals/risks/partials/account_reasons_panel.html",
                get_context=reasons_panel_context,
                column="side",
                order=26,
            )
        )
        register_menu_item("work", _("Risks"), "renewals:risk_list", "alert", order=35)
        register_menu_item("insights", _("ARR at risk"), "renewals:risk_report", "chart", order=41)
        register_menu_item("insights", _("Why customers left"), "renewals:lost_report", "chart", order=42)
        register_menu_item("configure", _("Risk reasons"), "renewals:reason_codes", "list", role=Role.ADMIN, order=60)
        register_action(open_risk_action())
        register_audited_model("renewals.ReasonCode")  # the admin's reason list, in the audit trail
