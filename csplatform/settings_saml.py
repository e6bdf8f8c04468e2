"""SAML 2.0 single sign-on settings (core.identity.saml, djangosaml2 over pysaml2), read from the
environment; csplatform/settings.py imports them in its "# SAML 2.0" block and calls `saml_wire` for the
backend, djangosaml2's session middleware and its cookie. docs/deploy.md "Single sign-on with SAML 2.0" lists them.

SAML is on when the identity provider's metadata is given, by URL (read again every
PULSE_SAML_METADATA_TTL seconds) or as a file. Assertions must be signed by a key in that
metadata. The person is the NameID; their e-mail, user name, names and groups come from the
attributes named here (the groups give the role through PULSE_SSO_GROUP_ROLES)."""

import os

from django.core.exceptions import ImproperlyConfigured


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


PULSE_SAML_IDP_METADATA_URL = _env("PULSE_SAML_IDP_METADATA_URL")
PULSE_SAML_IDP_METADATA_FILE = _env("PULSE_SAML_IDP_METADATA_FILE")
try:
    PULSE_SAML_METADATA_TTL = int(_env("PULSE_SAML_METADATA_TTL", "3600") or "3600")
except ValueError:
    raise ImproperlyConfigured("PULSE_SAML_METADATA_TTL is a number of seconds.") from None
# Our entity id (default: SITE_URL/sso/saml/metadata/); a key and certificate sign our requests
# and decrypt encrypted assertions (optional: the IdP's signature is what proves the person).
PULSE_SAML_SP_ENTITY_ID = _env("PULSE_SAML_SP_ENTITY_ID")
PULSE_SAML_SP_KEY_FILE = _env("PULSE_SAML_SP_KEY_FILE")
PULSE_SAML_SP_CERT_FILE = _env("PULSE_SAML_SP_CERT_FILE")
if bool(PULSE_SAML_SP_KEY_FILE) != bool(PULSE_SAML_SP_CERT_FILE):
    raise ImproperlyConfigured("Set both PULSE_SAML_SP_KEY_FILE and PULSE_SAML_SP_CERT_FILE, or neither.")
PULSE_SAML_ATTRIBUTES = {
    "email": _env("PULSE_SAML_ATTR_EMAIL", "mail"),
    "username": _env("PULSE_SAML_ATTR_USERNAME", "uid"),
    "first_name": _env("PULSE_SAML_ATTR_FIRST_NAME", "givenName"),
    "last_name": _env("PULSE_SAML_ATTR_LAST_NAME", "sn"),
    "groups": _env("PULSE_SAML_ATTR_GROUPS", "groups"),
}
PULSE_SAML_XMLSEC_BINARY = _env("PULSE_SAML_XMLSEC_BINARY")  # default: xmlsec1 on the PATH

# djangosaml2: our config loader (core.identity.saml.sp_config), requests to the IdP by redirect
# (no auto-submitted form, which our Content-Security-Policy would stop), its own session cookie.
SAML_CONFIG_LOADER = "core.identity.saml.sp_config"
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_CSP_HANDLER = ""
SAML_SESSION_COOKIE_NAME = "pulse_saml_session"


def saml_wire(settings: dict) -> None:
    """Called by settings.py with its globals: our backend after the others, djangosaml2's
    session middleware right after Django's, and its cookie SameSite=None where cookies are
    Secure (HTTPS; the IdP posts to the ACS from its own site, which a Lax cookie would not follow)."""
    settings["AUTHENTICATION_BACKENDS"].append("core.identity.saml.SamlBackend")
    middleware = settings["MIDDLEWARE"]
    sessions = middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
    middleware.insert(sessions + 1, "djangosaml2.middleware.SamlSessionMiddleware")
    settings["SAML_SESSION_COOKIE_SAMESITE"] = "None" if settings["SESSION_COOKIE_SECURE"] else "Lax"
