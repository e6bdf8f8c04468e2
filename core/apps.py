"""The ground floor: the CS team's users and roles, API keys, and plumbing shared by every app
(login, navigation, list views, API authentication). It has no customer data; every other app
may import it, and it imports none of them.

Wiring (every app's ready() follows it): an app registers what it owns in its
AppConfig.ready() - menu items and badges (core.navigation), outbound webhook events
(core.webhooks), account panels (accounts.panels), health measures (health.registry) -
and imports its `receivers` module, whose functions connect to the signals of the floors below
with `@receiver(..., dispatch_uid=...)`. Signal definitions live in `signals.py`.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Team and platform")

    def ready(self) -> None:
        from core.audit import register_audited_model
        from core.choices import Role
        from core.navigation import register_menu_item

        from .audit import receivers  # noqa: F401  (sign-ins into the audit trail)

        register_audited_model("core.User", exclude={"last_login", "date_joined"}, redact={"password"})
        register_audited_model("core.APIKey", exclude={"last_used_at"}, redact={"key_hash"})
        register_audited_model("core.WebhookEndpoint", redact={"secret"})
        register_audited_model("core.Invitation", redact={"token_hash"})
        register_audited_model("core.ExternalIdentity", exclude={"last_seen_at"})

        from .identity.login_methods import register_login_method
        from .identity.oidc import oidc_button_label, oidc_enabled

        register_login_method("oidc", oidc_button_label(), "oidc:start", enabled=oidc_enabled, order=10)

        register_menu_item("configure", _("Webhooks"), "core:webhook_list", "share", role=Role.ADMIN, order=70)
        register_menu_item("configure", _("API keys"), "core:apikey_list", "key", role=Role.ADMIN, order=80)
        register_menu_item("configure", _("Users"), "core:user_list", "user", role=Role.ADMIN, order=90)
        register_menu_item("configure", _("API docs"), "api-docs", "note", role=Role.ADMIN, order=100)
        register_menu_item("configure", _("Audit log"), "core:audit_list", "activity", role=Role.ADMIN, order=110)
        register_menu_item("configure", _("My API tokens"), "core:token_list", "key", order=120)

        from .identity.login_methods import register_login_method
        from .identity.saml_setup import saml_enabled

        register_login_method(
            "saml", _("Sign in with single sign-on (SAML)"), "saml:login", enabled=saml_enabled, order=20
        )
