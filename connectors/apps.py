"""Connectors: connections to a team's CRM and help desk (HubSpot, Salesforce, Zendesk, Intercom),
their credentials (encrypted at rest), field mappings, schedules, sync runs and their logs.

One floor above renewals: a sync writes accounts, contacts, subscriptions, tickets and
opportunities through the upsert services of the floors below, so every signal fires as it does
for the API; it pushes health back out. Nothing below imports it.
"""

import importlib
import pkgutil

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectorsConfig(AppConfig):
    name = "connectors"
    verbose_name = _("Connectors")

    def ready(self) -> None:
        from core.choices import Role
        from core.navigation import register_menu_item

        from . import targets, vendors  # noqa: F401  (targets: our record writers register)

        # Each vendor package registers itself: connectors/vendors/<kind>/__init__.py `register()`.
        for info in pkgutil.iter_modules(vendors.__path__):
            module = importlib.import_module(f"{vendors.__name__}.{info.name}")
            if hasattr(module, "register"):
                module.register()
        register_menu_item("configure", _("Connectors"), "connectors:list", "share", role=Role.ADMIN, order=70)
