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
        pass
