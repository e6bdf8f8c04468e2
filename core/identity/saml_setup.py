"""Whether SAML single sign-on is configured, without importing pysaml2 (a few seconds of imports):
core's ready() asks it for the sign-in button, so workers and commands never load SAML."""

from django.conf import settings

__all__ = ["saml_enabled"]


def saml_enabled() -> bool:
    return bool(settings.PULSE_SAML_IDP_METADATA_URL or settings.PULSE_SAML_IDP_METADATA_FILE)
