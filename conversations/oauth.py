"""Per-user OAuth 2 for Google (Gmail + Calendar) and Microsoft 365 (Graph mail + calendar):
the authorization-code flow with PKCE (RFC 7636, S256) and a one-time `state`, token refresh,
and revoke on disconnect. Plain HTTP (httpx) to the documented endpoints:

- Google: "Using OAuth 2.0 for Web Server Applications"
  (developers.google.com/identity/protocols/oauth2/web-server): `/o/oauth2/v2/auth`,
  `POST oauth2.googleapis.com/token`, `POST oauth2.googleapis.com/revoke`, and the OpenID
  userinfo `GET /oauth2/v3/userinfo` for the address.
- Microsoft identity platform: "OAuth 2.0 authorization code flow"
  (learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow): `/{tenant}/oauth2/v2.0/
  authorize` and `/token`; the address from Graph `GET /me`. Microsoft has no endpoint that
  revokes one app's refresh token (`revokeSignInSessions` signs the user out everywhere), so a
  disconnect forgets the tokens here and says so.

`google-auth` and `msal` were not used: both default to the real hosts and caches of their own;
two token endpoints are a few lines of HTTP that a local fake can answer in tests.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ConnectedAccount, ConnectionStatus, Provider

__all__ = [
    "OAuthError",
    "ProviderConfig",
    "access_token_fresh",
    "authorization_url",
    "connection_disconnect",
    "oauth_complete",
    "pkce_pair",
    "provider_config",
    "providers_available",
    "tokens_refresh",
]

HTTP_TIMEOUT = httpx.Timeout(20.0, connect=5.0)
REFRESH_MARGIN = timedelta(seconds=60)  # refresh a token that expires within this


class OAuthError(Exception):
    """The provider refused (bad code, revoked grant) or answered nonsense; `message` is for people."""

    def __init__(self, message: str, *, revoked: bool = False):
        super().__init__(message)
        self.message = message
        self.revoked = revoked


@dataclass(frozen=True)
class ProviderConfig:
    key: str
    authorize_url: str
    token_url: str
    revoke_url: str
    profile_url: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]
    authorize_extra: dict = field(default_factory=dict)


def provider_config(provider: str) -> ProviderConfig:
    """The endpoints and client of a provider, read from settings each time (tests move them)."""
    if provider == Provider.GOOGLE:
        return ProviderConfig(
            key=provider,
            authorize_url=f"{settings.GOOGLE_OAUTH_BASE}/o/oauth2/v2/auth",
            token_url=f"{settings.GOOGLE_TOKEN_BASE}/token",
            revoke_url=f"{settings.GOOGLE_TOKEN_BASE}/revoke",
            profile_url=f"{settings.GOOGLE_API_BASE}/oauth2/v3/userinfo",
            client_id=settings.GOOGLE_OAUTH_CLIENT_ID,
            client_secret=settings.GOOGLE_OAUTH_CLIENT_SECRET,
            scopes=(
                "openid",
                "email",
                "https://www.googleapis.com/auth/gmail.readonly",
                "https://www.googleapis.com/auth/calendar.readonly",
            ),
            # a refresh token every time the user consents (Google sends it only then)
            authorize_extra={"access_type": "offline", "prompt": "consent", "include_granted_scopes": "true"},
        )
    if provider == Provider.MICROSOFT:
        base = f"{settings.MICROSOFT_LOGIN_BASE}/{settings.MICROSOFT_OAUTH_TENANT}/oauth2/v2.0"
        return ProviderConfig(
            key=provider,
            authorize_url=f"{base}/authorize",
            token_url=f"{base}/token",
            revoke_url="",
            profile_url=f"{settings.MICROSOFT_GRAPH_BASE}/me",
            client_id=settings.MICROSOFT_OAUTH_CLIENT_ID,
            client_secret=settings.MICROSOFT_OAUTH_CLIENT_SECRET,
            scopes=("offline_access", "openid", "email", "User.Read", "Mail.Read", "Calendars.Read"),
            authorize_extra={"response_mode": "query"},
        )
    raise ValueError(f"no OAuth for provider {provider!r}")


def providers_available() -> list[str]:
    """The OAuth providers this installation has a client for."""
    return [p for p in (Provider.GOOGLE, Provider.MICROSOFT) if provider_config(p).client_id]


# Section: the authorization request


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, code_challenge) for S256 (RFC 7636 §4.1-4.2)."""
    verifier = secrets.token_urlsafe(64)[:96]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorization_url(*, provider: str, redirect_uri: str, state: str, code_challenge: str) -> str:
    """Where to send the user's browser to consent."""
    config = provider_config(provider)
    params = {
        "client_id": config.client_id,
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "scope": " ".join(config.scopes),
        "state": state,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
        **config.authorize_extra,
    }
    return f"{config.authorize_url}?{urlencode(params)}"


# Section: tokens


def _token_post(config: ProviderConfig, data: dict) -> dict:
    data = {"client_id": config.client_id, **data}
    if config.client_secret:
        data["client_secret"] = config.client_secret
    try:
        response = httpx.post(config.token_url, data=data, timeout=HTTP_TIMEOUT, headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise OAuthError(_("The provider could not be reached: %(error)s") % {"error": exc}) from exc
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code != 200 or "access_token" not in body:
        error = body.get("error") or f"HTTP {response.status_code}"
        detail = body.get("error_description") or ""
        raise OAuthError(
            _("The provider refused the token request: %(error)s %(detail)s") % {"error": error, "detail": detail},
            revoked=error == "invalid_grant",
        )
    return body


def _tokens_store(connection: ConnectedAccount, body: dict) -> None:
    connection.access_token = body["access_token"]
    if body.get("refresh_token"):  # Google sends one only on consent; Microsoft rotates it
        connection.refresh_token = body["refresh_token"]
    expires_in = int(body.get("expires_in") or 3600)
    connection.expires_at = timezone.now() + timedelta(seconds=expires_in)
    if body.get("scope"):
        connection.scopes = body["scope"]


def _profile_email(config: ProviderConfig, access_token: str) -> str:
    try:
        response = httpx.get(
            config.profile_url, headers={"Authorization": f"Bearer {access_token}"}, timeout=HTTP_TIMEOUT
        )
        body = response.json() if response.status_code == 200 else {}
    except (httpx.HTTPError, ValueError) as exc:
        raise OAuthError(_("The provider could not be reached: %(error)s") % {"error": exc}) from exc
    email = body.get("email") or body.get("mail") or body.get("userPrincipalName") or ""
    if not email:
        raise OAuthError(_("The provider did not say which mailbox was connected."))
    return email.strip().lower()


def oauth_complete(*, user, provider: str, code: str, code_verifier: str, redirect_uri: str) -> ConnectedAccount:
    """Exchange the authorization code (with the PKCE verifier) for tokens and keep them, on the
    user's connection for that mailbox (a reconnect updates it and clears its error)."""
    config = provider_config(provider)
    body = _token_post(
        config,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        },
    )
    email = _profile_email(config, body["access_token"])
    with transaction.atomic():
        connection = (
            ConnectedAccount.objects.select_for_update().filter(user=user, provider=provider, email=email).first()
        )
        if connection is None:
            connection = ConnectedAccount(user=user, provider=provider, email=email)
        _tokens_store(connection, body)
        if not connection.refresh_token_enc:
            raise OAuthError(_("The provider sent no refresh token; remove the app's access and connect again."))
        connection.status = ConnectionStatus.ACTIVE
        connection.last_error = ""
        connection.save()
    return connection


def tokens_refresh(connection: ConnectedAccount) -> ConnectedAccount:
    """A new access token from the refresh token. A revoked grant marks the connection as
    needing attention (the user reconnects) and raises."""
    config = provider_config(connection.provider)
    try:
        body = _token_post(config, {"grant_type": "refresh_token", "refresh_token": connection.refresh_token})
    except OAuthError as exc:
        if exc.revoked:
            connection.status = ConnectionStatus.ERROR
            connection.last_error = exc.message
            connection.save(update_fields=["status", "last_error", "updated_at"])
        raise
    _tokens_store(connection, body)
    connection.save(update_fields=["access_token_enc", "refresh_token_enc", "expires_at", "scopes", "updated_at"])
    return connection


def access_token_fresh(connection: ConnectedAccount, *, force: bool = False) -> str:
    """An access token good for at least a minute, refreshed when needed."""
    if force or connection.expires_at is None or connection.expires_at - REFRESH_MARGIN <= timezone.now():
        tokens_refresh(connection)
    return connection.access_token


def connection_disconnect(*, connection: ConnectedAccount) -> bool:
    """Revoke the grant at the provider where it offers that (Google), then forget the tokens and
    the synced meetings' upcoming copies. Returns whether the provider confirmed the revoke; the
    tokens are forgotten here either way."""
    revoked = False
    if connection.provider == Provider.GOOGLE and connection.refresh_token_enc:
        config = provider_config(connection.provider)
        try:
            response = httpx.post(
                config.revoke_url,
                data={"token": connection.refresh_token},
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                timeout=HTTP_TIMEOUT,
            )
            revoked = response.status_code == 200
        except httpx.HTTPError:
            revoked = False
    with transaction.atomic():
        connection.access_token_enc = connection.refresh_token_enc = connection.password_enc = ""
        connection.mail_cursor = connection.calendar_cursor = ""
        connection.expires_at = None
        connection.status = ConnectionStatus.REVOKED
        connection.save()
        # meetings not on the timeline yet (upcoming) go; past ones stay as the touches they were
        connection.meetings.filter(activity__isnull=True).delete()
    return revoked
