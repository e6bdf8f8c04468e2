from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from core.audit import register_audited_model

        register_audited_model("surveys.SurveyWorkspace", redact={"secret"})  # the audit trail
        register_audited_model("surveys.Survey")

        from accounts.panels import AccountPanel, ContactPanel, register_contact_panel, register_panel
        from core.choices import Role
        from core.navigation import register_menu_item
        from core.webhooks import register_webhook_event
        from health.registry import register_measure

        from .health_measures import SURVEY_MEASURES
        from .panels import contact_surveys_panel_context, surveys_panel_context, surveys_panel_vary

        register_measure(*SURVEY_MEASURES)
        from .view_filters import register_survey_view_filters

        register_survey_view_filters()
        register_panel(
            AccountPanel(
                key="surveys",
                title=_("Surveys"),
                template_name="surveys/partials/account_panel.html",
                get_context=surveys_panel_context,
                column="main",
                order=40,
                cache_vary=surveys_panel_vary,
            )
        )
        register_contact_panel(
            ContactPanel(
                key="surveys",
                title=_("Survey answers"),
                template_name="surveys/partials/contact_panel.html",
                get_context=contact_surveys_panel_context,
                column="main",
                order=20,
            )
        )
        register_menu_item("insights", _("Surveys"), "surveys:report", "message", order=40)
        register_menu_item("configure", _("Surveys"), "surveys:survey_list", "edit", role=Role.ADMIN, order=30)
        register_webhook_event("survey.answered", "A customer answered an NPS / CSAT / CES survey.")
