"""Identity settings read from the environment (docs/deploy.md): the group-to-role mapping shared
by single sign-on and SCIM, SCIM's default role, and OpenID Connect (core.identity.oidc, with
mozilla-django-oidc). csplatform/settings.py imports them; SAML's are in settings_saml.py."""

import os

from .env import env_bool, env_int, env_list

# Single sign-on and SCIM (core.identity): the identity provider's groups decide the role.
# PULSE_SSO_GROUP_ROLES: "group=role,group=role" (roles: admin, manager, csm, readonly); the
# highest mapped role wins. A person in no mapped group gets PULSE_SSO_DEFAULT_ROLE, or is
# refused when it is empty (the default).
PULSE_SSO_GROUP_ROLES = dict(
    (group.strip(), role.strip())
    for group, _eq, role in (item.partition("=") for item in env_list("PULSE_SSO_GROUP_ROLES", ""))
    if role.strip()
)
PULSE_SSO_DEFAULT_ROLE = os.environ.get("PULSE_SSO_DEFAULT_ROLE", "")
# SCIM provisioning (core.identity.scim): the role of a provisioned person in no mapped group (the
# provider pushes only the people assigned to Pulse, so they get in, read-only by default).
PULSE_SCIM_DEFAULT_ROLE = os.environ.get("PULSE_SCIM_DEFAULT_ROLE", "readonly")

# OpenID Connect
# Single sign-on through the company's OpenID Connect provider (core.identity.oidc, with
# mozilla-django-oidc). Off until PULSE_OIDC_CLIENT_ID and either PULSE_OIDC_ISSUER (endpoints
# read from its discovery document) or the four explicit endpoints are set. Register the
# redirect URI https://<pulse host>/sso/oidc/callback/ at the provider. Roles come from the
# groups claim through PULSE_SSO_GROUP_ROLES above.
PULSE_OIDC_ISSUER = os.environ.get("PULSE_OIDC_ISSUER", "").rstrip("/")
PULSE_OIDC_GROUPS_CLAIM = os.environ.get("PULSE_OIDC_GROUPS_CLAIM", "groups")  # dotted for nested: realm_access.roles
PULSE_OIDC_PROVIDER_NAME = os.environ.get("PULSE_OIDC_PROVIDER_NAME", "")  # the button: "Sign in with <name>"
PULSE_OIDC_STATE_MAX_AGE = env_int("PULSE_OIDC_STATE_MAX_AGE", 600)  # seconds a started sign-in stays valid
OIDC_RP_CLIENT_ID = os.environ.get("PULSE_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("PULSE_OIDC_CLIENT_SECRET", "")
OIDC_RP_SCOPES = os.environ.get("PULSE_OIDC_SCOPES", "openid email profile")
OIDC_RP_SIGN_ALGO = os.environ.get("PULSE_OIDC_SIGN_ALGO", "RS256")  # keys from the provider's JWKS
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("PULSE_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("PULSE_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("PULSE_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("PULSE_OIDC_JWKS_ENDPOINT", "")
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc:callback"
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env_int("PULSE_OIDC_TIMEOUT", 10)
OIDC_VERIFY_SSL = env_bool("PULSE_OIDC_VERIFY_SSL", True)
