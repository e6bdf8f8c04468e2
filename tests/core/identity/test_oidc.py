"""Single sign-on with OpenID Connect against a real provider (django-oauth-toolkit, started by
oidc_server.py on a free port): sign-in, the role from the provider's groups at every sign-in,
refusals, tampered / replayed / expired states, a provider that is down, and the audit trail."""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from core.audit.models import AuditAction, AuditEvent
from core.identity.models import ExternalIdentity
from core.models import User

from .conftest import provider_round_trip

pytestmark = pytest.mark.django_db


def _signed_in_user(client):
    return client.session.get("_auth_user_id")


def test_a_person_in_a_mapped_group_signs_in_as_a_csm_and_the_sign_in_is_audited(client, oidc_settings, oidc_provider):
    oidc_provider.person("alice", "cs-team", "everyone")
    callback = provider_round_trip(client, "alice")
    response = client.get(callback)
    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(email="alice@example.com")
    assert (user.username, user.role, user.first_name, user.is_active) == ("alice", "csm", "Alice", True)
    assert not user.has_usable_password()
    assert str(user.pk) == _signed_in_user(client)
    link = ExternalIdentity.objects.get(user=user)
    assert link.provider == "oidc" and link.groups == ["cs-team", "everyone"]
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=user).count() == 1
    assert client.get("/").status_code == 200


def test_a_group_change_at_the_provider_moves_the_role_at_the_next_sign_in(client, oidc_settings, oidc_provider):
    oidc_provider.person("bruno", "cs-team")
    client.get(provider_round_trip(client, "bruno"))
    assert User.objects.get(username="bruno").role == "csm"
    client.logout()
    oidc_provider.person("bruno", "cs-admins", "cs-team")
    client.get(provider_round_trip(client, "bruno"))
    user = User.objects.get(username="bruno")
    assert user.role == "admin" and _signed_in_user(client) == str(user.pk)
    assert User.objects.filter(username__startswith="bruno").count() == 1


def test_a_person_in_no_mapped_group_is_refused_with_a_page(client, oidc_settings, oidc_provider):
    oidc_provider.person("carla", "sales")
    response = client.get(provider_round_trip(client, "carla"))
    assert response.status_code == 403
    assert b'data-sso-failed="refused"' in response.content
    assert b"none of your groups" in response.content
    assert _signed_in_user(client) is None
    assert not User.objects.filter(email="carla@example.com").exists()
    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.object_repr == "carla@example.com"
    assert failed.extra["refused"]["provider"] == "oidc" and failed.extra["refused"]["groups"] == ["sales"]


def test_the_refusal_page_is_in_the_readers_language(client, oidc_settings, oidc_provider):
    oidc_provider.person("dalia", "sales")
    callback = provider_round_trip(client, "dalia")
    response = client.get(callback, HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 403
    assert b'lang="ar" dir="rtl"' in response.content
    assert "لا وصول إلى Pulse CS".encode() in response.content


def test_a_person_removed_from_every_mapped_group_is_refused_and_deactivated(client, oidc_settings, oidc_provider):
    oidc_provider.person("emil", "cs-team")
    client.get(provider_round_trip(client, "emil"))
    client.logout()
    oidc_provider.person("emil", "sales")
    assert client.get(provider_round_trip(client, "emil")).status_code == 403
    assert User.objects.get(username="emil").is_active is False


def test_a_tampered_state_is_refused(client, oidc_settings, oidc_provider):
    oidc_provider.person("farah", "cs-team")
    callback = provider_round_trip(client, "farah")
    parts = urlsplit(callback)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["state"] = query["state"][:-4] + "abcd"
    response = client.get(f"{parts.path}?{urlencode(query)}")
    assert response.status_code == 400 and b'data-sso-failed="failed"' in response.content
    assert _signed_in_user(client) is None


def test_a_replayed_callback_is_refused(client, oidc_settings, oidc_provider):
    oidc_provider.person("gita", "cs-team")
    callback = provider_round_trip(client, "gita")
    assert client.get(callback).status_code == 302
    client.logout()
    response = client.get(callback)
    assert response.status_code == 400
    assert _signed_in_user(client) is None


def test_an_expired_state_is_refused(client, oidc_settings, oidc_provider):
    oidc_provider.person("hana", "cs-team")
    callback = provider_round_trip(client, "hana")
    oidc_settings.PULSE_OIDC_STATE_MAX_AGE = -1
    response = client.get(callback)
    assert response.status_code == 400 and b'data-sso-failed="failed"' in response.content
    assert _signed_in_user(client) is None
    assert not User.objects.filter(username="hana").exists()


def test_an_error_from_the_provider_is_a_failed_sign_in(client, oidc_settings):
    client.get("/sso/oidc/start/")
    state = next(iter(client.session["oidc_states"]))
    response = client.get("/sso/oidc/callback/", {"error": "access_denied", "state": state})
    assert response.status_code == 400


def test_the_next_page_is_kept_and_an_outside_one_dropped(client, oidc_settings, oidc_provider):
    oidc_provider.person("ines", "cs-team")
    assert client.get(provider_round_trip(client, "ines", start="/sso/oidc/start/?next=/me/"))["Location"] == "/me/"
    client.logout()
    outside = "/sso/oidc/start/?next=https://evil.example/"
    assert client.get(provider_round_trip(client, "ines", start=outside))["Location"] == "/"


def test_a_provider_that_cannot_be_reached_gives_a_page_not_an_error(client, oidc_settings):
    oidc_settings.PULSE_OIDC_ISSUER = "http://127.0.0.1:9/o"
    response = client.get("/sso/oidc/start/")
    assert response.status_code == 502 and b'data-sso-failed="unavailable"' in response.content


def test_the_login_page_offers_the_provider_only_when_configured(client, settings):
    settings.OIDC_RP_CLIENT_ID = ""
    assert b'data-login-method="oidc"' not in client.get("/login/").content
    assert client.get("/sso/oidc/start/").status_code == 404
    assert client.get("/sso/oidc/callback/?code=x&state=y").status_code == 404
    settings.OIDC_RP_CLIENT_ID = "pulse-cs"
    settings.PULSE_OIDC_ISSUER = "https://login.example.com"
    settings.PULSE_OIDC_PROVIDER_NAME = "Okta"
    page = client.get("/login/").content.decode()
    assert 'data-login-method="oidc"' in page and "Sign in with Okta" in page


def test_a_password_sign_in_still_works_beside_it(client, oidc_settings, csm_user):
    client.get("/login/")
    response = client.post("/login/", {"username": csm_user.username, "password": "pass1234!"})
    assert response.status_code == 302 and _signed_in_user(client) == str(csm_user.pk)


def test_explicit_endpoints_work_without_an_issuer(client, oidc_settings, oidc_provider):
    base = oidc_provider.issuer
    oidc_settings.PULSE_OIDC_ISSUER = ""
    oidc_settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{base}/authorize/"
    oidc_settings.OIDC_OP_TOKEN_ENDPOINT = f"{base}/token/"
    oidc_settings.OIDC_OP_USER_ENDPOINT = f"{base}/userinfo/"
    oidc_settings.OIDC_OP_JWKS_ENDPOINT = f"{base}/.well-known/jwks.json"
    oidc_provider.person("jana", "cs-admins")
    assert client.get(provider_round_trip(client, "jana"))["Location"] == "/"
    assert User.objects.get(username="jana").role == "admin"
