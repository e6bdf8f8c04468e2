"""The two OpenID Connect routes (/sso/oidc/start/ and /sso/oidc/callback/): mozilla-django-oidc's
views with Pulse's configuration, and a page in the reader's language for every way a sign-in
can end other than success: refused (403: no group gives a Pulse role), failed (400: a
tampered, replayed or expired state, an error from the provider, a token that does not verify)
or the provider unreachable (502). Never a 500."""

from __future__ import annotations

import logging
import time

import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .oidc import OIDCUnavailable, oidc_enabled, oidc_setting

__all__ = ["OIDCCallbackView", "OIDCStartView"]

logger = logging.getLogger(__name__)


def sso_failed(request, *, status: int, title: str, message: str) -> HttpResponse:
    context = {"title": title, "message": message, "reason": {400: "failed", 403: "refused"}.get(status, "unavailable")}
    return render(request, "registration/sso_failed.html", context, status=status)


def _unavailable(request) -> HttpResponse:
    return sso_failed(
        request,
        status=502,
        title=_("Single sign-on is unavailable"),
        message=_("The identity provider could not be reached. Try again in a few minutes."),
    )


def _failed(request) -> HttpResponse:
    return sso_failed(
        request,
        status=400,
        title=_("Single sign-on did not finish"),
        message=_("The sign-in expired or was interrupted. Start again from the sign-in page."),
    )


class OIDCStartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider, with a fresh state, nonce and PKCE challenge."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        # The library reads its endpoints here; Pulse reads them in get(), where a provider
        # that is down can be answered with a page.
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        if not oidc_enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except OIDCUnavailable:
            logger.warning("OIDC discovery failed", exc_info=True)
            return _unavailable(request)
        self.OIDC_RP_CLIENT_ID = oidc_setting("OIDC_RP_CLIENT_ID")
        return super().get(request)


class OIDCCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: checks the state and its age, then lets
    the backend exchange the code, verify the tokens and sync the user."""

    get_settings = staticmethod(oidc_setting)

    def get(self, request):
        if not oidc_enabled():
            raise Http404
        state = request.GET.get("state", "")
        started = request.session.get("oidc_states", {}).get(state, {})
        max_age = getattr(settings, "PULSE_OIDC_STATE_MAX_AGE", 600)
        if started and time.time() - started.get("added_on", 0) > max_age:
            del request.session["oidc_states"][state]
            request.session.modified = True
            return _failed(request)
        try:
            return super().get(request)
        except SuspiciousOperation as exc:
            logger.warning("OIDC sign-in refused: %s", exc)
            return _failed(request)
        except requests.HTTPError as exc:
            # The token endpoint refused the code (used, expired, or not ours).
            logger.warning("OIDC token exchange failed: %s", exc)
            return _failed(request)
        except (requests.RequestException, OIDCUnavailable):
            logger.warning("OIDC provider unreachable", exc_info=True)
            return _unavailable(request)

    def login_failure(self):
        if getattr(self.request, "identity_refused", None):
            return sso_failed(
                self.request,
                status=403,
                title=_("No access to Pulse CS"),
                message=_(
                    "Your identity provider signed you in, but none of your groups there gives access "
                    "to Pulse CS. Ask your administrator to add you to the right group."
                ),
            )
        return _failed(self.request)
