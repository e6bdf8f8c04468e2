"""Identities that live outside Pulse: single sign-on (OpenID Connect, SAML 2.0) and SCIM
provisioning. Each front door turns what the identity provider says into one `IdentityClaims`
and calls `identity_user_sync`; roles come from the provider's groups through one mapping
(`roles.role_for_groups`), so OIDC, SAML and SCIM can never disagree about a person's role."""
