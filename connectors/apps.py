"""Connectors: connections to a team's CRM and help desk (HubSpot, Salesforce, Zendesk, Intercom),
their credentials (encrypted at rest), field mappings, schedules, sync runs and their logs.

One floor above renewals: a sync writes accounts, contacts, subscriptions, tickets and
opportunities through the upsert services of the floors below, so every signal fires as it does
for the API; it pushes health back out. Nothing below imports it.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectorsConfig(AppConfig):
    name = "connectors"
    verbose_name = _("Connectors")
