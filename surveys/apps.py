from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Surveys"

    def ready(self) -> None:
        from accounts.panels import AccountPanel, register_panel

        from .health_measures import register as register_measures
        from .panels import surveys_panel_context

        register_measures()
        register_panel(
            AccountPanel(
                key="surveys",
                title="Surveys",
                template_name="surveys/partials/account_panel.html",
                get_context=surveys_panel_context,
                column="main",
                order=40,
            )
        )
