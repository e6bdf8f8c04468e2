"""The OIDC front door without a provider: claims -> IdentityClaims, the ID token checks Pulse
adds to mozilla-django-oidc's (audience, issuer), and when the front door counts as configured."""

import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from core.identity.oidc import OIDCBackend, oidc_enabled, oidc_identity_claims


def test_the_claims_become_the_seams_claims(settings):
    settings.PULSE_OIDC_GROUPS_CLAIM = "groups"
    claims = oidc_identity_claims(
        {
            "sub": "00u1",
            "email": " rana@example.com ",
            "email_verified": True,
            "preferred_username": "rana",
            "given_name": "Rana",
            "family_name": "Haddad",
            "groups": ["cs-team", "everyone", 7, None, ""],
        }
    )
    assert (claims.provider, claims.subject) == ("oidc", "00u1")
    assert (claims.email, claims.username) == ("rana@example.com", "rana")
    assert (claims.first_name, claims.last_name) == ("Rana", "Haddad")
    assert claims.groups == ("cs-team", "everyone", "7")


def test_a_nested_groups_claim_and_groups_as_one_string(settings):
    settings.PULSE_OIDC_GROUPS_CLAIM = "realm_access.roles"
    assert oidc_identity_claims({"sub": "k1", "realm_access": {"roles": ["cs-admins"]}}).groups == ("cs-admins",)
    settings.PULSE_OIDC_GROUPS_CLAIM = "roles"
    assert oidc_identity_claims({"sub": "k1", "roles": "cs-team, cs-admins"}).groups == ("cs-team", "cs-admins")
    assert oidc_identity_claims({"sub": "k1", "roles": {"not": "a list"}}).groups == ()
    assert oidc_identity_claims({"sub": "k1"}).groups == ()


def test_an_unverified_email_is_not_used_to_match_an_account():
    claims = oidc_identity_claims({"sub": "s", "email": "boss@example.com", "email_verified": False})
    assert claims.email == "" and claims.username == ""
    assert oidc_identity_claims({"sub": "s", "email": "boss@example.com", "email_verified": "false"}).email == ""
    assert oidc_identity_claims({"sub": "s", "email": "a@example.com"}).email == "a@example.com"


@pytest.mark.parametrize("sub", [None, "", 12])
def test_claims_without_a_subject_are_refused(sub):
    with pytest.raises(SuspiciousOperation):
        oidc_identity_claims({"sub": sub, "email": "a@example.com"})


def test_enabled_with_an_issuer_or_all_four_endpoints(settings):
    settings.OIDC_RP_CLIENT_ID = ""
    settings.PULSE_OIDC_ISSUER = "https://id.example.com"
    assert not oidc_enabled()
    settings.OIDC_RP_CLIENT_ID = "pulse"
    assert oidc_enabled()
    settings.PULSE_OIDC_ISSUER = ""
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://id.example.com/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://id.example.com/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://id.example.com/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = ""
    assert not oidc_enabled()
    settings.OIDC_OP_JWKS_ENDPOINT = "https://id.example.com/jwks"
    assert oidc_enabled()


@pytest.fixture
def signer(settings):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings.OIDC_RP_CLIENT_ID = "pulse"
    settings.PULSE_OIDC_ISSUER = "https://id.example.com"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://id.example.com/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://id.example.com/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://id.example.com/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = "https://id.example.com/jwks"
    settings.OIDC_RP_IDP_SIGN_KEY = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    backend = OIDCBackend()
    OIDCAuthenticationBackend.__init__(backend)

    def sign(**claims):
        base = {"sub": "s1", "aud": "pulse", "iss": "https://id.example.com", "nonce": "n", "exp": time.time() + 60}
        return jwt.encode({**base, **claims}, key, algorithm="RS256")

    return backend, sign


def test_an_id_token_for_this_client_from_the_issuer_passes(signer):
    backend, sign = signer
    assert backend.verify_token(sign(), nonce="n")["sub"] == "s1"
    assert backend.verify_token(sign(aud=["other", "pulse"]), nonce="n")["sub"] == "s1"


@pytest.mark.parametrize(
    "claims",
    [{"aud": "another-client"}, {"iss": "https://evil.example.com"}, {"nonce": "replayed"}, {"exp": time.time() - 600}],
)
def test_an_id_token_for_another_client_issuer_nonce_or_expired_is_refused(signer, claims):
    backend, sign = signer
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(sign(**claims), nonce="n")


def test_a_token_that_is_not_a_jwt_is_refused(signer):
    backend, _sign = signer
    with pytest.raises(SuspiciousOperation):
        backend.verify_token("not-a-jwt", nonce="n")
