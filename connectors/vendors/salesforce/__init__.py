"""Salesforce (REST + SOQL on SystemModstamp, Bulk API 2.0 for the first load): Account,
Contact, Opportunity, User; health pushed to the Account fields the mappings name."""

from django.utils.translation import gettext_lazy as _

from ...registry import OAuthSpec, ObjectSpec, Vendor, register_vendor

__all__ = ["register"]


def _client(connection):
    from .client import SalesforceClient

    return SalesforceClient(connection)


VENDOR = Vendor(
    kind="salesforce",
    label=_("Salesforce"),
    default_base_url="https://login.salesforce.com",
    client_factory=_client,
    oauth=OAuthSpec(
        authorize_url="/services/oauth2/authorize",
        token_url="/services/oauth2/token",
        scopes=("api", "refresh_token"),
        pkce=True,
    ),
    options_help=_('"stages": {StageName: our stage name}'),
    objects=(
        ObjectSpec(key="users", label=_("Users"), target="owner", default_mappings=(("Email", "email", "pull"),)),
        ObjectSpec(
            key="accounts",
            label=_("Accounts"),
            target="account",
            pushable=True,
            default_mappings=(
                ("Name", "name", "pull"),
                ("Website", "domain", "pull"),
                ("Industry", "industry", "pull"),
                ("Pulse_Health_Score__c", "health_score", "push"),
                ("Pulse_Health_Band__c", "health_band", "push"),
                ("Pulse_Churn_Risk__c", "churn_risk", "push"),
            ),
        ),
        ObjectSpec(
            key="contacts",
            label=_("Contacts"),
            target="contact",
            default_mappings=(
                ("FirstName", "name", "pull"),
                ("LastName", "name", "pull"),
                ("Email", "email", "pull"),
                ("Title", "title", "pull"),
            ),
        ),
        ObjectSpec(
            key="opportunities",
            label=_("Opportunities"),
            target="opportunity",
            default_mappings=(
                ("Amount", "amount", "pull"),
                ("CloseDate", "close_date", "pull"),
                ("StageName", "stage", "pull"),
                ("Type", "kind", "pull"),
            ),
        ),
    ),
)


def register() -> None:
    register_vendor(VENDOR)
