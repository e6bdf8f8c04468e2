"""OAuth 2 authorisation-code flow for vendors that use it (RFC 6749 §4.1), with `state`
against cross-site forgery and PKCE (RFC 7636, S256) where the vendor supports it; token
refresh (§6). The client id and secret are the connection's credentials (encrypted); the
vendor's URLs come from its `OAuthSpec`, relative to the connection's base URL unless absolute,
and `options["authorize_url"]` / `options["token_url"]` override them (a sandbox, a fake)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from urllib.parse import urlencode, urljoin

import requests
from django.utils.translation import gettext as _

from .http import http_session
from .models import Connection
from .registry import AuthFailed, VendorError, vendor_get
from .services import connection_credentials_set

__all__ = ["oauth_authorize_url", "oauth_finish", "oauth_refresh"]


def _url(connection: Connection, which: str) -> str:
    spec = vendor_get(connection.kind).oauth
    if spec is None:
        raise VendorError(_("This vendor does not use OAuth."))
    url = connection.options.get(f"{which}_url") or getattr(spec, f"{which}_url")
    return url if url.startswith(("http://", "https://")) else urljoin(connection.base_url + "/", url.lstrip("/"))


def oauth_authorize_url(*, connection: Connection, redirect_uri: str) -> tuple[str, dict]:
    """The vendor's consent page to send the admin to, and what to keep in the session
    ({"state", "verifier"}) until the vendor sends them back."""
    spec = vendor_get(connection.kind).oauth
    creds = connection.credentials
    if not creds.get("client_id"):
        raise VendorError(_("Enter the app's client id and secret first."))
    keep = {"state": secrets.token_urlsafe(24), "connection": connection.pk}
    params = {
        "response_type": "code",
        "client_id": creds["client_id"],
        "redirect_uri": redirect_uri,
        "state": keep["state"],
    }
    if spec.scopes:
        params["scope"] = " ".join(spec.scopes)
    if spec.pkce:
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        params.update(code_challenge=challenge, code_challenge_method="S256")
        keep["verifier"] = verifier
    return f"{_url(connection, 'authorize')}?{urlencode(params)}", keep


def _token_request(connection: Connection, form: dict) -> dict:
    creds = connection.credentials
    form = {"client_id": creds.get("client_id", ""), "client_secret": creds.get("client_secret", ""), **form}
    try:
        response = http_session().post(_url(connection, "token"), data=form)
    except requests.RequestException as exc:
        raise VendorError(_("The vendor's token endpoint did not answer: %(error)s") % {"error": exc}) from None
    try:
        data = response.json()
    except ValueError:
        data = {}
    if response.status_code != 200 or "access_token" not in data:
        reason = data.get("error_description") or data.get("message") or data.get("error") or response.status_code
        raise AuthFailed(_("the token endpoint refused: %(reason)s") % {"reason": reason})
    values = {"access_token": data["access_token"], "token_type": data.get("token_type", "bearer")}
    if data.get("refresh_token"):
        values["refresh_token"] = data["refresh_token"]
    if data.get("expires_in"):
        values["expires_at"] = int(time.time()) + int(data["expires_in"])
    if data.get("instance_url"):  # Salesforce: the org's own API host
        values["instance_url"] = data["instance_url"]
    return values


def oauth_finish(*, connection: Connection, code: str, state: str, kept: dict, redirect_uri: str) -> Connection:
    """The vendor sent the admin back with `code`: check `state`, trade the code for tokens."""
    if not kept or not secrets.compare_digest(str(kept.get("state", "")), str(state or "")):
        raise AuthFailed(_("the authorisation answer does not match the request (state); start again"))
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if kept.get("verifier"):
        form["code_verifier"] = kept["verifier"]
    return connection_credentials_set(connection=connection, credentials=_token_request(connection, form))


def oauth_refresh(*, connection: Connection) -> Connection:
    refresh = connection.credentials.get("refresh_token")
    if not refresh:
        raise AuthFailed(_("no refresh token: connect again"))
    values = _token_request(connection, {"grant_type": "refresh_token", "refresh_token": refresh})
    return connection_credentials_set(connection=connection, credentials=values)
