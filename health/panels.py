"""The account page's health card (accounts.panels)."""

from accounts.panels import AccountPanel, register_panel


def _context(request, account):
    from .views import health_panel_context

    return health_panel_context(request, account)


def register_health_panel() -> None:
    register_panel(
        AccountPanel(
            key="health",
            title="Health",
            template_name="health/partials/health_card.html",
            get_context=_context,
            column="main",
            order=10,
        )
    )
