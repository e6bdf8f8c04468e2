"""Intercom (REST API 2.11): companies matched to accounts (by company_id or the website's
domain), contacts to contacts (by e-mail), conversations to support tickets (first admin reply,
last close); search pagination by `starting_after`, the companies scroll. Nothing is pushed.
The writers are the help-desk targets (connectors.vendors.helpdesk)."""

from django.utils.translation import gettext_lazy as _

from ...registry import ObjectSpec, Vendor, register_vendor

__all__ = ["register"]


def _client(connection):
    from .client import IntercomClient

    return IntercomClient(connection)


VENDOR = Vendor(
    kind="intercom",
    label=_("Intercom"),
    default_base_url="https://api.intercom.io",
    client_factory=_client,
    options_help=_('"links": companies and contacts matched to our accounts and contacts (kept by the sync)'),
    objects=(
        ObjectSpec(key="companies", label=_("Companies"), target="intercom_account"),
        ObjectSpec(key="contacts", label=_("Contacts"), target="intercom_contact"),
        ObjectSpec(key="conversations", label=_("Conversations"), target="intercom_ticket"),
    ),
)


def register() -> None:
    from ..helpdesk import helpdesk_targets_register

    helpdesk_targets_register(prefix="intercom", org_key="companies", user_key="contacts")
    register_vendor(VENDOR)
