"""Success maps, success plans and onboarding checklists.

DESIGN.md places these under playbooks; they are their own app, one floor below playbooks
(above surveys), because they are a domain with its own lifecycle (versioned maps, plans
shared with customers, checklists with time to first value) that playbooks acts on
("onboarding stalled" triggers, "start a plan" actions) but that must not depend on playbooks.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    name = "onboarding"
    verbose_name = _("Success plans and onboarding")

    def ready(self) -> None:
        from core.audit import register_audited_model

        for label in (  # the audit trail
            "onboarding.OnboardingSettings",
            "onboarding.SuccessMap",
            "onboarding.SuccessMapVersion",
            "onboarding.Stage",
            "onboarding.Milestone",
            "onboarding.ChecklistTemplate",
            "onboarding.ChecklistTemplateItem",
            "onboarding.PlanShareLink",
        ):
            register_audited_model(label)

        from accounts.panels import AccountPanel, ContactPanel, register_contact_panel, register_panel
        from accounts.reassign import ReassignStep, register_reassign_step
        from core.choices import Role
        from core.navigation import register_menu_item
        from health.registry import register_measure

        from . import receivers  # noqa: F401  (connects to accounts.signals)
        from .metrics import ONBOARDING_PROGRESS_MEASURE
        from .panel_cache import onboarding_vary, success_plan_vary
        from .panels import contact_goals_context, onboarding_context, success_plan_context
        from .reassign import plans_follow_accounts, plans_give_back

        register_measure(ONBOARDING_PROGRESS_MEASURE)
        register_reassign_step(
            ReassignStep(
                key="success_plans",
                label=_("Success plans"),
                apply=plans_follow_accounts,
                undo=plans_give_back,
                order=20,
            )
        )
        register_panel(
            AccountPanel(
                key="success_plan",
                title=_("Success plan"),
                template_name="onboarding/partials/plan_panel.html",
                get_context=success_plan_context,
                column="main",
                order=40,
                cache_vary=success_plan_vary,
            )
        )
        register_panel(
            AccountPanel(
                key="onboarding",
                title=_("Onboarding"),
                template_name="onboarding/partials/checklist_panel.html",
                get_context=onboarding_context,
                column="side",
                order=40,
                cache_vary=onboarding_vary,
            )
        )
        register_contact_panel(
            ContactPanel(
                key="goals",
                title=_("Success plan goals"),
                template_name="onboarding/partials/contact_goals_panel.html",
                get_context=contact_goals_context,
                column="side",
                order=40,
            )
        )
        register_menu_item("work", _("Success plans"), "onboarding:board", "flag", order=40)
        register_menu_item("configure", _("Success maps"), "onboarding:map_list", "map", role=Role.ADMIN, order=40)
        register_menu_item("configure", _("Checklists"), "onboarding:checklist_list", "list", role=Role.ADMIN, order=50)
