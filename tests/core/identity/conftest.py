"""The real OpenID Connect provider (oidc_server.py) for the SSO tests, and Pulse configured
to use it through its issuer's discovery document; the real SAML IdP's fixture is in saml_idp.py."""

import re
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from .oidc_server import CLIENT_ID, CLIENT_SECRET, PASSWORD, OIDCProvider
from .saml_idp import saml_idp  # noqa: F401  (the SAML tests' IdP fixture)


@pytest.fixture(scope="module")
def oidc_provider(tmp_path_factory):
    provider = OIDCProvider(tmp_path_factory.mktemp("oidc-provider")).start()
    yield provider
    provider.stop()


@pytest.fixture
def oidc_settings(settings, oidc_provider):
    settings.PULSE_OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.PULSE_SSO_GROUP_ROLES = {"cs-team": "csm", "cs-admins": "admin"}
    settings.PULSE_SSO_DEFAULT_ROLE = ""
    return settings


_NEXT = re.compile(r'name="next" value="([^"]*)"')


def provider_round_trip(client, username: str, *, start: str = "/sso/oidc/start/") -> str:
    """Start a sign-in at Pulse with the Django test client, sign in at the provider over real
    HTTP (a requests session plays the browser there) and return the callback path and query
    the provider sends the browser back to."""
    started = client.get(start)
    assert started.status_code == 302, started.content[:300]
    browser = requests.Session()
    page = browser.get(started["Location"], timeout=10)
    assert page.status_code == 200 and "op-username" in page.text, page.text[:300]
    answer = browser.post(
        page.url,
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": browser.cookies["op_csrf"],
            "next": _NEXT.search(page.text).group(1).replace("&amp;", "&"),
        },
        allow_redirects=False,
        timeout=10,
    )
    location = answer.headers["Location"]
    while not location.startswith("http://testserver/"):
        answer = browser.get(urljoin(answer.url, location), allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text[:300]
        location = answer.headers["Location"]
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}"
