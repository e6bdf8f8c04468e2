"""HubSpot (CRM API v3): companies → accounts (parent company → parent account), contacts →
contacts, deals of a chosen pipeline → renewal / expansion opportunities, owners → users by
e-mail; health score, band, churn risk and last NPS pushed to company properties."""

from django.utils.translation import gettext_lazy as _

from ...registry import OAuthSpec, ObjectSpec, Vendor, register_vendor

__all__ = ["register"]


def _client(connection):
    from .client import HubSpotClient

    return HubSpotClient(connection)


VENDOR = Vendor(
    kind="hubspot",
    label=_("HubSpot"),
    default_base_url="https://api.hubapi.com",
    client_factory=_client,
    oauth=OAuthSpec(
        authorize_url="https://app.hubspot.com/oauth/authorize",
        token_url="/oauth/v1/token",
        scopes=(
            "crm.objects.companies.read",
            "crm.objects.companies.write",
            "crm.objects.contacts.read",
            "crm.objects.deals.read",
            "crm.objects.owners.read",
        ),
        pkce=False,
    ),
    options_help=_('"pipeline": the deal pipeline to pull; "stages": {deal stage: our stage name}'),
    objects=(
        ObjectSpec(key="owners", label=_("Owners"), target="owner", default_mappings=(("email", "email", "pull"),)),
        ObjectSpec(
            key="companies",
            label=_("Companies"),
            target="account",
            pushable=True,
            default_mappings=(
                ("name", "name", "pull"),
                ("domain", "domain", "pull"),
                ("industry", "industry", "pull"),
                ("pulse_health_score", "health_score", "push"),
                ("pulse_health_band", "health_band", "push"),
                ("pulse_churn_risk", "churn_risk", "push"),
                ("pulse_last_nps", "last_nps", "push"),
            ),
        ),
        ObjectSpec(
            key="contacts",
            label=_("Contacts"),
            target="contact",
            default_mappings=(
                ("firstname", "name", "pull"),
                ("lastname", "name", "pull"),
                ("email", "email", "pull"),
                ("jobtitle", "title", "pull"),
            ),
        ),
        ObjectSpec(
            key="deals",
            label=_("Deals"),
            target="opportunity",
            default_mappings=(
                ("amount", "amount", "pull"),
                ("closedate", "close_date", "pull"),
                ("dealstage", "stage", "pull"),
                ("dealtype", "kind", "pull"),
            ),
        ),
    ),
)


def register() -> None:
    register_vendor(VENDOR)
