"""SAML 2.0 without a browser: the attribute mapping, the backend through identity_user_sync, the
routes when SAML is off, misconfigured or fed garbage, and our metadata from an IdP metadata file.
The end-to-end sign-ins against a real pysaml2 IdP are in test_browser_saml.py."""

from __future__ import annotations

import shutil

import pytest
from django.test import Client, RequestFactory
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID

from core.audit.models import AuditAction, AuditEvent
from core.identity.login_methods import login_methods
from core.identity.models import ExternalIdentity
from core.identity.saml import SamlBackend, claims_from_session_info, sp_config_forget
from core.models import User

from .saml_idp import GROUP_ROLES, write_key_and_cert

pytestmark = pytest.mark.django_db


def session_info(subject="ana-0001", **ava):
    return {
        "ava": ava,
        "name_id": NameID(format=NAMEID_FORMAT_PERSISTENT, text=subject),
        "issuer": "https://idp.example.com/metadata",
    }


# Section: the attribute mapping


def test_claims_take_the_nameid_and_the_configured_attributes():
    info = session_info(
        mail=["ana@example.com"], uid=["ana"], givenName=["Ana"], sn=["Lima"], groups=["cs-team", "all", "cs-team"]
    )
    claims = claims_from_session_info(info)
    assert (claims.provider, claims.subject) == ("saml", "ana-0001")
    assert (claims.email, claims.username, claims.first_name, claims.last_name) == (
        "ana@example.com",
        "ana",
        "Ana",
        "Lima",
    )
    assert claims.groups == ("cs-team", "all")  # in order, once each


def test_claims_follow_other_attribute_names_and_their_case():
    info = session_info(
        **{
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": ["bo@example.com"],
            "MemberOf": ["CS-Admins", " ", ""],
        }
    )
    names = {
        "email": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        "groups": "memberOf",
        "username": "uid",
        "first_name": "givenName",
        "last_name": "sn",
    }
    claims = claims_from_session_info(info, attributes=names)
    assert claims.email == "bo@example.com"
    assert claims.groups == ("CS-Admins",)  # blanks dropped; matched case-insensitively
    assert (claims.username, claims.first_name) == ("", "")


def test_claims_without_a_nameid_have_no_subject():
    info = session_info(mail=["x@example.com"])
    info["name_id"] = None
    assert claims_from_session_info(info).subject == ""


# Section: the backend


@pytest.fixture
def saml_on(settings, tmp_path):
    settings.PULSE_SAML_IDP_METADATA_FILE = str(idp_metadata_file(tmp_path))
    settings.PULSE_SAML_IDP_METADATA_URL = ""
    settings.PULSE_SSO_GROUP_ROLES = GROUP_ROLES
    settings.PULSE_SSO_DEFAULT_ROLE = ""
    sp_config_forget()
    yield settings
    sp_config_forget()


def idp_metadata_file(directory):
    key, cert = write_key_and_cert(directory, "idp", "Metadata IdP")
    config = IdPConfig()
    config.load(
        {
            "entityid": "https://idp.example.com/metadata",
            "service": {
                "idp": {
                    "endpoints": {
                        "single_sign_on_service": [
                            ("https://idp.example.com/sso", "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect")
                        ]
                    }
                }
            },
            "key_file": str(key),
            "cert_file": str(cert),
            "xmlsec_binary": shutil.which("xmlsec1"),
        }
    )
    path = directory / "idp-metadata.xml"
    path.write_text(str(entity_descriptor(config)))
    return path


def test_the_backend_makes_the_user_through_identity_user_sync(saml_on):
    request = RequestFactory().post("/sso/saml/acs/")
    info = session_info(mail=["ana@example.com"], uid=["ana"], groups=["cs-readers", "cs-managers"])
    user = SamlBackend().authenticate(request, session_info=info, attribute_mapping={})
    assert (user.username, user.role) == ("ana", "manager")
    assert ExternalIdentity.objects.get(provider="saml", subject="ana-0001").user == user


def test_the_backend_refuses_a_person_in_no_mapped_group(saml_on):
    request = RequestFactory().post("/sso/saml/acs/")
    info = session_info(mail=["eve@example.com"], groups=["marketing"])
    assert SamlBackend().authenticate(request, session_info=info, attribute_mapping={}) is None
    assert request.identity_refused == {
        "provider": "saml",
        "subject": "ana-0001",
        "username": "eve@example.com",
        "groups": ["marketing"],
    }
    assert not User.objects.filter(email="eve@example.com").exists()


def test_a_refusal_through_django_authenticate_is_one_audit_row_naming_the_person(saml_on):
    from django.contrib.auth import authenticate

    info = session_info(mail=["eve@example.com"], groups=["marketing"])
    assert authenticate(RequestFactory().post("/sso/saml/acs/"), session_info=info, attribute_mapping={}) is None
    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert (failed.object_repr, failed.actor_label) == ("eve@example.com", "anonymous")
    assert failed.extra["refused"]["provider"] == "saml" and failed.extra["refused"]["groups"] == ["marketing"]


def test_the_backend_lets_password_sign_ins_pass(saml_on):
    assert SamlBackend().authenticate(None, username="ana", password="x") is None


# Section: the routes


def test_off_when_not_configured(settings):
    settings.PULSE_SAML_IDP_METADATA_URL = settings.PULSE_SAML_IDP_METADATA_FILE = ""
    client = Client()
    for path in ("/sso/saml/login/", "/sso/saml/metadata/"):
        assert client.get(path).status_code == 404
    assert client.post("/sso/saml/acs/", {"SAMLResponse": "x"}).status_code == 404
    assert "saml" not in [m.key for m in login_methods()]
    assert 'data-login-method="saml"' not in client.get("/login/").content.decode()


def test_our_metadata_names_our_acs_and_asks_for_signed_assertions(saml_on):
    saml_on.SITE_URL = "https://pulse.example.com"
    answer = Client().get("/sso/saml/metadata/")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/xml")
    xml = answer.content.decode()
    assert 'entityID="https://pulse.example.com/sso/saml/metadata/"' in xml
    assert 'Location="https://pulse.example.com/sso/saml/acs/"' in xml
    assert 'WantAssertionsSigned="true"' in xml


def test_the_login_button_and_the_redirect_to_the_idp(saml_on):
    client = Client()
    assert 'data-login-method="saml"' in client.get("/login/").content.decode()
    answer = client.get("/sso/saml/login/?next=/accounts/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("https://idp.example.com/sso?SAMLRequest=")
    assert "RelayState=%2Faccounts%2F" in answer["Location"]


def test_an_unreachable_idp_is_a_503_page_not_a_500(settings):
    settings.PULSE_SAML_IDP_METADATA_URL = "http://127.0.0.1:9/metadata"  # the discard port: nothing there
    settings.PULSE_SAML_IDP_METADATA_FILE = ""
    sp_config_forget()
    answer = Client(raise_request_exception=False).get("/sso/saml/login/")
    assert answer.status_code == 503
    assert 'data-sso-refused="unavailable"' in answer.content.decode()
    sp_config_forget()


def test_garbage_at_the_acs_is_refused_not_a_500(saml_on):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    assert client.post("/sso/saml/acs/", {}).status_code == 400  # no SAMLResponse: djangosaml2 says so
    answer = client.post("/sso/saml/acs/", {"SAMLResponse": "bm90IFNBTUw="})
    assert answer.status_code == 403
    assert 'data-sso-refused="rejected"' in answer.content.decode()


def test_a_failed_metadata_reload_keeps_the_loaded_config(saml_on, tmp_path):
    from core.identity.saml import sp_config

    first = sp_config()
    saml_on.PULSE_SAML_METADATA_TTL = 0  # due for a reload at every request
    (tmp_path / "idp-metadata.xml").unlink()  # and the reload fails
    assert sp_config() is first
    assert Client().get("/sso/saml/login/").status_code == 302
