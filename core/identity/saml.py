"""Single sign-on with SAML 2.0: djangosaml2's views over pysaml2, configured from settings
(`PULSE_SAML_*`, docs/deploy.md), off unless the identity provider's metadata is given.

pysaml2 checks the answer: the assertion signed by a key in the IdP's metadata, meant for us
(audience, destination), in time, and in response to a request this browser started (djangosaml2
keeps the outstanding request ids in its own session and forgets each once answered, so a
replayed or unsolicited answer is refused). Then `SamlBackend` turns the NameID and attributes
into `IdentityClaims` and the user comes from `identity_user_sync`, the role from the groups,
like every other front door. A person the IdP vouched for but whose groups give no role, and an
answer pysaml2 refused, see a 403 page in their language (`templates/registration/sso_refused.html`).
Sign-ins go into the audit trail through Django's `user_logged_in` signal, a refused person as a
failed sign-in naming them (`request.identity_refused`, as OIDC does; core.audit.receivers)."""

from __future__ import annotations

import copy
import logging
import shutil
import threading
import time
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View
from djangosaml2.backends import Saml2Backend
from djangosaml2.views import AssertionConsumerServiceView, LoginView, MetadataView, SPConfigMixin
from saml2 import BINDING_HTTP_POST
from saml2.config import SPConfig

from .saml_setup import saml_enabled
from .services import IdentityClaims, IdentityRefused, identity_user_sync

__all__ = [
    "PROVIDER",
    "saml_enabled",
    "claims_from_session_info",
    "sp_config",
    "SamlBackend",
    "SamlLoginView",
    "SamlAcsView",
    "SamlMetadataView",
]

logger = logging.getLogger(__name__)

PROVIDER = "saml"
ACS_PATH = "/sso/saml/acs/"
METADATA_PATH = "/sso/saml/metadata/"


# Section: attributes


def _values(ava: Mapping[str, Iterable[str]], name: str) -> list[str]:
    """The attribute's values, by its exact name, else by a case-insensitive match (IdPs differ
    on `mail` / `Mail`, `groups` / `Groups`)."""
    if not name:
        return []
    found = ava.get(name)
    if found is None:
        wanted = name.casefold()
        found = next((v for k, v in ava.items() if k.casefold() == wanted), None)
    if found is None:
        return []
    if isinstance(found, str):
        found = [found]
    return [str(v).strip() for v in found if v is not None and str(v).strip()]


def claims_from_session_info(session_info: Mapping, *, attributes: Mapping[str, str] | None = None) -> IdentityClaims:
    """What a verified SAML answer says about the person, as `IdentityClaims`: the subject is the
    NameID; e-mail, user name, names and groups come from the attributes `attributes` names
    (default: settings.PULSE_SAML_ATTRIBUTES)."""
    names = dict(settings.PULSE_SAML_ATTRIBUTES if attributes is None else attributes)
    ava = session_info.get("ava") or {}
    name_id = session_info.get("name_id")
    subject = (getattr(name_id, "text", None) if name_id is not None else None) or ""

    def first(key: str) -> str:
        values = _values(ava, names.get(key, ""))
        return values[0] if values else ""

    groups = tuple(dict.fromkeys(_values(ava, names.get("groups", ""))))
    return IdentityClaims(
        provider=PROVIDER,
        subject=subject.strip(),
        email=first("email"),
        username=first("username"),
        first_name=first("first_name"),
        last_name=first("last_name"),
        groups=groups,
    )


# Section: configuration


def _config_dict() -> dict:
    base = settings.SITE_URL.rstrip("/")
    sp = {
        "name": "Pulse CS",
        "endpoints": {"assertion_consumer_service": [(f"{base}{ACS_PATH}", BINDING_HTTP_POST)]},
        # The assertion must carry the IdP's signature (the response around it may or may not).
        "want_assertions_signed": True,
        "want_response_signed": False,
        # Only answers to requests this browser started (no IdP-initiated sign-in, no replay).
        "allow_unsolicited": False,
        "authn_requests_signed": bool(settings.PULSE_SAML_SP_KEY_FILE),
        "name_id_format_allow_create": True,
    }
    config: dict = {
        "entityid": settings.PULSE_SAML_SP_ENTITY_ID or f"{base}{METADATA_PATH}",
        "service": {"sp": sp},
        "xmlsec_binary": settings.PULSE_SAML_XMLSEC_BINARY or shutil.which("xmlsec1"),
        # IdPs send attribute names pysaml2 has no converter for (`groups`, Azure's claim URIs):
        # keep them under the name sent.
        "allow_unknown_attributes": True,
        "accepted_time_diff": 60,  # seconds of clock skew between the IdP and us
        "http_client_timeout": 10,  # fetching the IdP's metadata never hangs a request
        "metadata": (
            {"remote": [{"url": settings.PULSE_SAML_IDP_METADATA_URL}]}
            if settings.PULSE_SAML_IDP_METADATA_URL
            else {"local": [settings.PULSE_SAML_IDP_METADATA_FILE]}
        ),
    }
    if settings.PULSE_SAML_SP_KEY_FILE:
        config["key_file"] = settings.PULSE_SAML_SP_KEY_FILE
        config["cert_file"] = settings.PULSE_SAML_SP_CERT_FILE
        config["encryption_keypairs"] = [
            {"key_file": settings.PULSE_SAML_SP_KEY_FILE, "cert_file": settings.PULSE_SAML_SP_CERT_FILE}
        ]
    return config


_LOCK = threading.Lock()
_CACHED: dict[str, tuple[float, SPConfig]] = {}
STALE_RETRY = 60  # seconds between retries of a failed metadata reload


def sp_config(request: HttpRequest | None = None) -> SPConfig:
    """djangosaml2's config loader (SAML_CONFIG_LOADER). Loading reads the IdP's metadata (over
    HTTP for a URL), so one loaded config serves every request for PULSE_SAML_METADATA_TTL
    seconds; a change of settings loads a new one. When a reload fails (the IdP's metadata URL is
    down) the config already loaded keeps serving, retried every STALE_RETRY seconds; with none
    loaded yet, the error goes to the view (a 503 page)."""
    config = _config_dict()
    key = repr(sorted(config.items(), key=lambda item: item[0]))
    now = time.monotonic()
    with _LOCK:
        cached = _CACHED.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
    loaded = SPConfig()
    try:
        loaded.load(copy.deepcopy(config))
    except Exception:
        if cached is None:
            raise
        logger.exception("SAML: reloading the identity provider's metadata failed; keeping the loaded one")
        with _LOCK:
            _CACHED[key] = (now + STALE_RETRY, cached[1])
        return cached[1]
    with _LOCK:
        _CACHED.clear()
        _CACHED[key] = (now + max(settings.PULSE_SAML_METADATA_TTL, 0), loaded)
    return loaded


def sp_config_forget() -> None:
    """Load the IdP's metadata again at the next request (tests, a rotated IdP certificate)."""
    with _LOCK:
        _CACHED.clear()


# Section: backend


class SamlBackend(Saml2Backend):
    """The user for a verified SAML answer, made through `identity_user_sync` (never through
    djangosaml2's own attribute-to-field copying). Other sign-ins (a password) pass through."""

    def authenticate(
        self,
        request,
        session_info=None,
        attribute_mapping=None,
        create_unknown_user=True,
        assertion_info=None,
        **kwargs,
    ):
        if session_info is None or not saml_enabled():
            return None
        claims = claims_from_session_info(session_info)
        if not claims.subject:
            logger.warning("SAML answer without a NameID from %s", session_info.get("issuer"))
            return None
        try:
            user = identity_user_sync(claims)
        except IdentityRefused:
            # For the ACS's 403 page and the audit trail's failed sign-in (core.audit.receivers).
            if request is not None:
                request.identity_refused = {
                    "provider": PROVIDER,
                    "subject": claims.subject,
                    "username": claims.email or claims.username or claims.subject,
                    "groups": list(claims.groups),
                }
            return None
        return user if self.user_can_authenticate(user) else None


# Section: views


def sso_refused(request: HttpRequest, *, reason: str, status: int = 403) -> HttpResponse:
    """The page a person sees when single sign-on did not let them in: `no_role` (their groups
    give no Pulse role), `rejected` (the answer failed a check) or `unavailable` (the IdP's
    metadata could not be read)."""
    return render(request, "registration/sso_refused.html", {"reason": reason}, status=status)


class _Enabled(SPConfigMixin, View):
    """404 while SAML is not configured; a 503 page, not a 500, while the IdP's metadata cannot
    be loaded."""

    def dispatch(self, request, *args, **kwargs):
        if not saml_enabled():
            raise Http404("SAML single sign-on is not configured.")
        try:
            self.get_sp_config(request)
        except Exception:
            logger.exception("SAML: the identity provider's metadata could not be loaded")
            return sso_refused(request, reason="unavailable", status=503)
        return super().dispatch(request, *args, **kwargs)


class SamlLoginView(_Enabled, LoginView):
    """Sends the browser to the IdP with an AuthnRequest (HTTP-Redirect binding)."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if response.status_code == 403:  # djangosaml2's plain-text "IdP not in metadata"
            return sso_refused(request, reason="unavailable", status=503)
        return response


class SamlAcsView(_Enabled, AssertionConsumerServiceView):
    """Where the IdP posts its answer (csrf-exempt in the urls: the IdP's signature and the
    outstanding request id protect it, not our CSRF cookie)."""

    def handle_acs_failure(self, request, exception=None, status=403, **kwargs):
        reason = "no_role" if getattr(request, "identity_refused", None) else "rejected"
        if reason == "rejected":
            logger.info("SAML answer refused: %r", exception)
        return sso_refused(request, reason=reason, status=403)


class SamlMetadataView(_Enabled, MetadataView):
    """Our metadata for the IdP's administrator: entity id, ACS URL, our certificate."""
