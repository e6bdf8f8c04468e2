from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "health"
    verbose_name = _("Health scores")

    def ready(self) -> None:
        from core.audit import register_audited_model

        for label in (
            "health.HealthSettings",
            "health.Scorecard",
            "health.ScorecardMeasure",
            "health.EventMeasure",
            "health.HealthOverride",
        ):
            register_audited_model(label)  # the audit trail

        from accounts.panels import AccountPanel, register_panel
        from core.choices import Role
        from core.navigation import register_menu_item
        from core.webhooks import register_webhook_event

        from . import receivers  # noqa: F401  (connects to accounts.signals)
        from .measures import HEALTH_MEASURES
        from .measures_activity import ACTIVITY_MEASURES, event_measures_load
        from .measures_payment import PAYMENT_MEASURE
        from .panels import health_card_context, health_card_vary
        from .registry import register_measure, register_measure_source

        register_measure(*HEALTH_MEASURES, *ACTIVITY_MEASURES, PAYMENT_MEASURE)
        register_measure_source("event:", event_measures_load)
        from .view_filters import register_health_view_filters

        register_health_view_filters()
        register_panel(
            AccountPanel(
                key="health",
                title=_("Health"),
                template_name="health/partials/health_card.html",
                get_context=health_card_context,
                column="main",
                order=10,
                cache_vary=health_card_vary,
            )
        )
        register_menu_item("insights", _("Health backtest"), "health:backtest", "activity", role=Role.MANAGER, order=50)
        register_menu_item(
            "configure", _("Health scorecards"), "health:scorecard_list", "heart", role=Role.ADMIN, order=10
        )
        register_webhook_event("health.band_changed", "An account's health band changed (red / yellow / green).")
