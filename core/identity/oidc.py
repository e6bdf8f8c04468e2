"""Single sign-on with OpenID Connect, on mozilla-django-oidc (docs/decisions.md).

The library runs the authorization-code flow (state, nonce, PKCE, the ID token's RS256
signature checked against the provider's JWKS); this module adds what Pulse needs around it:

- configuration from the environment (csplatform/settings.py, "# OpenID Connect"): the endpoints
  either explicit or read from `PULSE_OIDC_ISSUER`'s discovery document, lazily and cached, so
  a provider that is down never stops Pulse from starting or a password sign-in;
- checks the library leaves out: the ID token's `aud` must hold our client id and its `iss`
  must be the configured issuer; userinfo must be about the same `sub`;
- the person: the claims become one `IdentityClaims` (provider "oidc", subject = `sub`, groups
  from `PULSE_OIDC_GROUPS_CLAIM`) for `identity_user_sync`, which sets the role from the groups
  at every sign-in or refuses a person in no mapped group (`request.identity_refused`, shown
  by the callback view as a 403 page and recorded with the failed sign-in in the audit trail).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.utils.functional import lazy
from django.utils.translation import gettext
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from .services import IdentityClaims, IdentityRefused, identity_user_sync

__all__ = [
    "PROVIDER",
    "OIDCBackend",
    "OIDCUnavailable",
    "oidc_button_label",
    "oidc_enabled",
    "oidc_identity_claims",
    "oidc_setting",
]

PROVIDER = "oidc"
DISCOVERY_TTL = 3600  # seconds a discovery document is reused
# mozilla-django-oidc's endpoint settings and the discovery document's names for them.
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


class OIDCUnavailable(Exception):
    """The provider's discovery document could not be read (down, or not an OIDC issuer)."""


# Section: configuration


def oidc_enabled() -> bool:
    if not getattr(settings, "OIDC_RP_CLIENT_ID", ""):
        return False
    return bool(getattr(settings, "PULSE_OIDC_ISSUER", "")) or all(getattr(settings, n, "") for n in ENDPOINTS)


def _button_label() -> str:
    name = getattr(settings, "PULSE_OIDC_PROVIDER_NAME", "")
    if name:
        return gettext("Sign in with %(provider)s") % {"provider": name}
    return gettext("Sign in with single sign-on")


def oidc_button_label():
    """The sign-in page's button, in the reader's language when the page is drawn."""
    return lazy(_button_label, str)()


_discovered: dict[str, tuple[float, dict[str, Any]]] = {}
_discovery_lock = threading.Lock()


def _discovery(issuer: str) -> dict[str, Any]:
    now = time.monotonic()
    cached = _discovered.get(issuer)
    if cached and cached[0] > now:
        return cached[1]
    with _discovery_lock:
        try:
            response = requests.get(
                f"{issuer}/.well-known/openid-configuration",
                timeout=getattr(settings, "OIDC_TIMEOUT", 10),
                verify=getattr(settings, "OIDC_VERIFY_SSL", True),
            )
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise OIDCUnavailable(f"{issuer}: {exc}") from exc
        if not isinstance(document, dict) or str(document.get("issuer", "")).rstrip("/") != issuer:
            raise OIDCUnavailable(f"{issuer}: the discovery document names another issuer")
        missing = [key for key in ENDPOINTS.values() if not document.get(key)]
        if missing:
            raise OIDCUnavailable(f"{issuer}: the discovery document has no {', '.join(missing)}")
        _discovered[issuer] = (now + DISCOVERY_TTL, document)
        return document


def oidc_setting(name: str, *default):
    """A mozilla-django-oidc setting; an endpoint left empty comes from the issuer's discovery
    document (raises OIDCUnavailable when it cannot be read)."""
    if name in ENDPOINTS and not getattr(settings, name, ""):
        issuer = getattr(settings, "PULSE_OIDC_ISSUER", "")
        if issuer:
            return _discovery(issuer)[ENDPOINTS[name]]
    return import_from_settings(name, *default)


# Section: claims


def _claim(claims: dict[str, Any], path: str) -> Any:
    """A claim by name; a dotted name reaches into nested objects (Keycloak: realm_access.roles)."""
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _groups(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, (list, tuple)):
        return ()
    return tuple(str(group) for group in value if isinstance(group, (str, int)) and str(group).strip())


def oidc_identity_claims(claims: dict[str, Any]) -> IdentityClaims:
    """What the provider said (ID token and userinfo, merged) as the identity seam's claims.

    The e-mail is used only when the provider does not say it is unverified (`email_verified`
    false): `identity_user_sync` links a first sign-in to an existing Pulse user by e-mail."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise SuspiciousOperation("OIDC claims without a subject")

    def text(name: str) -> str:
        value = claims.get(name)
        return value.strip() if isinstance(value, str) else ""

    unverified = claims.get("email_verified") in (False, "false")  # some providers send a string
    email = "" if unverified else text("email")
    return IdentityClaims(
        provider=PROVIDER,
        subject=subject,
        email=email,
        username=text("preferred_username") or email,
        first_name=text("given_name"),
        last_name=text("family_name"),
        groups=_groups(_claim(claims, getattr(settings, "PULSE_OIDC_GROUPS_CLAIM", "groups") or "groups")),
    )


# Section: the authentication backend


class OIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with Pulse's configuration, checks and user sync.

    Listed in AUTHENTICATION_BACKENDS after axes and the password backend, so Django offers it
    every sign-in: it answers only the OIDC callback (which passes `nonce`), and reads its
    configuration only then (a session's `get_user` stays as cheap as ModelBackend's)."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if request is None or "nonce" not in kwargs or not oidc_enabled():
            return None
        super().__init__()
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        try:
            payload = super().verify_token(token, **kwargs)
        except (jwt.PyJWTError, KeyError, TypeError, ValueError) as exc:
            # The library turns only a bad signature into SuspiciousOperation; an expired or
            # not-yet-valid token, or a malformed one or key set, is refused the same way.
            raise SuspiciousOperation(f"The ID token does not verify: {exc}") from exc
        if "nonce" in kwargs:  # the ID token (a userinfo JWT is checked by signature only)
            audience = payload.get("aud")
            audiences = [audience] if isinstance(audience, str) else list(audience or [])
            if self.OIDC_RP_CLIENT_ID not in audiences:
                raise SuspiciousOperation("The ID token is not for this client")
            issuer = getattr(settings, "PULSE_OIDC_ISSUER", "")
            if issuer and str(payload.get("iss", "")).rstrip("/") != issuer:
                raise SuspiciousOperation("The ID token comes from another issuer")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if not isinstance(userinfo, dict) or userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo is about another subject than the ID token")
        claims = oidc_identity_claims({**payload, **userinfo})
        try:
            return identity_user_sync(claims)
        except IdentityRefused:
            # For the callback's 403 page and the audit trail's failed sign-in.
            self.request.identity_refused = {
                "provider": PROVIDER,
                "subject": claims.subject,
                "username": claims.email or claims.username or claims.subject,
                "groups": list(claims.groups),
            }
            return None
