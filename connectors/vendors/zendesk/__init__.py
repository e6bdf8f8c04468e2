"""Zendesk (Support API v2): organizations matched to accounts (by external id or domain),
end users to contacts (by e-mail), tickets with their metrics (first reply, full resolution,
agents' replies) to support tickets; incremental cursor exports, deletions as Zendesk reports
them. Nothing is pushed. The writers are the help-desk targets (connectors.vendors.helpdesk)."""

from django.utils.translation import gettext_lazy as _

from ...registry import ObjectSpec, Vendor, register_vendor

__all__ = ["register"]


def _client(connection):
    from .client import ZendeskClient

    return ZendeskClient(connection)


VENDOR = Vendor(
    kind="zendesk",
    label=_("Zendesk"),
    default_base_url="https://example.zendesk.com",
    client_factory=_client,
    options_help=_('"links": organizations and users matched to our accounts and contacts (kept by the sync)'),
    objects=(
        ObjectSpec(key="organizations", label=_("Organizations"), target="zendesk_account"),
        ObjectSpec(key="users", label=_("Users"), target="zendesk_contact"),
        ObjectSpec(key="tickets", label=_("Tickets"), target="zendesk_ticket"),
    ),
)


def register() -> None:
    from ..helpdesk import helpdesk_targets_register

    helpdesk_targets_register(prefix="zendesk", org_key="organizations", user_key="users")
    register_vendor(VENDOR)
