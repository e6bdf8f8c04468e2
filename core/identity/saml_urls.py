"""SAML 2.0 single sign-on routes under /sso/saml/ (core.identity.saml). All open without a
Pulse session: they are how one starts; the ACS takes the IdP's cross-site POST (no CSRF token,
the IdP's signature and the outstanding request id protect it)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

app_name = "saml"


def _view(name: str):
    """The SAML view `name`, imported at its first request: pysaml2 and its schema library take
    about half a second to import, which every process that loads the URLs (each web worker,
    each Celery worker, each test run) would otherwise pay whether or not SAML is configured."""

    def view(request, *args, **kwargs):
        from . import saml

        return getattr(saml, name).as_view()(request, *args, **kwargs)

    view.__name__ = view.__qualname__ = name
    return view


urlpatterns = [
    path("login/", login_not_required(_view("SamlLoginView")), name="login"),
    path("acs/", csrf_exempt(login_not_required(_view("SamlAcsView"))), name="acs"),
    path("metadata/", login_not_required(_view("SamlMetadataView")), name="metadata"),
]
