"""The account page's health card (accounts.panels; registered in HealthConfig.ready())."""


def health_card_context(request, account):
    from .views import health_panel_context

    return health_panel_context(request, account)
