"""/sso/oidc/: single sign-on with OpenID Connect (core.identity.oidc_views). Public: the
visitor is not signed in yet; the state, nonce and PKCE verifier in their session guard the
callback."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from .oidc_views import OIDCCallbackView, OIDCStartView

app_name = "oidc"

urlpatterns = [
    path("start/", login_not_required(OIDCStartView.as_view()), name="start"),
    path("callback/", login_not_required(OIDCCallbackView.as_view()), name="callback"),
]
