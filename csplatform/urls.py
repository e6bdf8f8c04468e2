"""Every app mounts its pages at the root (each owns its own path prefixes, listed in
docs/architecture.md) and its API under /api/v1/."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.views.auth import PasswordResetView

handler400 = "core.views.errors.bad_request"
handler403 = "core.views.errors.permission_denied"
handler404 = "core.views.errors.page_not_found"
handler500 = "core.views.errors.server_error"

APPS = [
    "core",
    "accounts",
    "usage",
    "health",
    "surveys",
    "onboarding",
    "playbooks",
    "renewals",
    "notifications",
    "conversations",
    "reports",
]

urlpatterns = [
    # The survey widget's public endpoints take customer traffic: routed first (docs/surveys.md).
    path("widget/", include("surveys.widget_urls")),
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sso/oidc/", include("core.identity.urls_oidc")),  # single sign-on, OpenID Connect
    # SAML 2.0 single sign-on (core.identity.saml): login, the IdP's answer (ACS), our metadata.
    path("sso/saml/", include("core.identity.saml_urls")),
    path("password-reset/", PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/done/",
        login_not_required(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        login_not_required(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        login_not_required(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    # For signed-in users and API keys only (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]); the docs
    # page sends a signed-out browser to the login form.
    # SCIM 2.0 provisioning (core.identity.scim): an identity provider's base URL; API keys with the SCIM scope.
    path("scim/v2/", include("core.identity.scim.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="api-docs"),
    *[path("", include(f"{app}.urls")) for app in APPS],
    *[path("api/v1/", include(f"{app}.api.urls")) for app in APPS],
    path("", include("connectors.urls")),  # pages only, no API
    path("", include("demo.urls")),  # the top floor: pages only, no API
]
