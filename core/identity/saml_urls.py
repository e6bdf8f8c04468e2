"""SAML 2.0 single sign-on routes under /sso/saml/ (core.identity.saml). All open without a
Pulse session: they are how one starts; the ACS takes the IdP's cross-site POST (no CSRF token,
the IdP's signature and the outstanding request id protect it)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from .saml import SamlAcsView, SamlLoginView, SamlMetadataView

app_name = "saml"

urlpatterns = [
    path("login/", login_not_required(SamlLoginView.as_view()), name="login"),
    path("acs/", csrf_exempt(login_not_required(SamlAcsView.as_view())), name="acs"),
    path("metadata/", login_not_required(SamlMetadataView.as_view()), name="metadata"),
]
