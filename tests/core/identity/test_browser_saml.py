"""Browser: single sign-on with SAML 2.0 against a real pysaml2 identity provider run locally
(conftest.saml_idp). A person clicks "Sign in with single sign-on (SAML)" on /login/, signs in at
the IdP and lands home with the role their groups map to; a group change at the IdP moves the
role; a person in no mapped group, an unsigned answer, a tampered answer and a replayed answer
are refused with a 403 page in their language; `next` brings one back to the page that asked, an
off-site `next` to home. Screenshots: artifacts/screenshots/saml_*.png."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from core.audit.models import AuditAction, AuditEvent
from core.identity.models import ExternalIdentity
from core.models import User
from tests.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
BUTTON = "a[data-login-method=saml]"
IDP_PREFIX = "http://127.0.0.1:"  # the IdP's address; Pulse's live server is http://localhost:...


@pytest.fixture
def new_context(browser, live_server):
    """`new_context(viewport=..., locale=...)`: a fresh browser (no cookies), closed afterwards."""
    contexts = []

    def make(*, viewport=None, locale="en-US", is_mobile=False):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport or {"width": 1440, "height": 900},
            locale=locale,
            is_mobile=is_mobile,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def _shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"saml_{name}.png"), full_page=True)


def sign_in_at_idp(page, username, *, capture=None, start="/login/"):
    """From /login/: the SAML button, the IdP's form, back at Pulse after its auto-posted answer.
    `capture`, a list, receives the form the IdP posted to our ACS."""
    if capture is not None:
        page.on(
            "request",
            lambda request: (
                capture.append(request.post_data)
                if request.method == "POST" and request.url.endswith("/sso/saml/acs/")
                else None
            ),
        )
    page.goto(start)
    if "/sso/saml/" not in start:
        page.click(BUTTON)
    page.wait_for_selector("#idp-username")
    page.fill("#idp-username", username)
    page.fill("#idp-password", "idp-pass")
    page.click("#idp-submit")
    # The IdP's page posts its answer to Pulse by itself; wait until the browser is back.
    page.wait_for_url(lambda url: not url.startswith(IDP_PREFIX))
    page.wait_for_load_state("networkidle")
    return page


def test_sign_in_lands_home_with_the_mapped_role_and_a_group_change_moves_it(saml_idp, new_context, live_server):
    saml_idp.set_user("ana", groups=["cs-team", "everyone"], givenName="Ana", sn="Lima")
    page = new_context().new_page()
    sign_in_at_idp(page, "ana")
    assert page.url == f"{live_server.url}/"
    user = User.objects.get(external_identities__provider="saml", external_identities__subject="ana-0001")
    assert (user.role, user.email, user.first_name, user.last_name) == ("csm", "ana@example.com", "Ana", "Lima")
    assert not user.has_usable_password()
    assert ExternalIdentity.objects.get(user=user).groups == ["cs-team", "everyone"]
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, object_id=str(user.pk)).count() == 1
    assert "CSM" in page.locator("header.topbar").inner_text()
    _shot(page, "home_after_sign_in")

    # The IdP moves Ana to the admins: her next sign-in makes her an admin.
    saml_idp.set_user("ana", groups=["cs-admins"], givenName="Ana", sn="Lima")
    page = new_context().new_page()
    # From a page that asked her to sign in: back on that page afterwards.
    sign_in_at_idp(page, "ana", start="/accounts/")
    assert page.url == f"{live_server.url}/accounts/"
    user.refresh_from_db()
    assert user.role == "admin"
    assert "Admin" in page.locator("header.topbar").inner_text()
    assert User.objects.filter(email="ana@example.com").count() == 1


def test_a_person_in_no_mapped_group_is_refused_in_their_language(saml_idp, new_context, live_server):
    saml_idp.set_user("bo", groups=["cs-team"])
    page = new_context().new_page()
    # A link that would send him elsewhere after signing in lands on Pulse's home instead.
    sign_in_at_idp(page, "bo", start="/sso/saml/login/?next=https://evil.example.com/")
    assert page.url == f"{live_server.url}/"
    bo = User.objects.get(external_identities__subject="bo-0001")
    assert bo.is_active

    saml_idp.set_user("bo", groups=["marketing"])
    page = new_context(locale="ar").new_page()
    statuses = []
    page.on("response", lambda r: statuses.append(r.status) if r.url.endswith("/sso/saml/acs/") else None)
    sign_in_at_idp(page, "bo")
    assert statuses == [403]
    assert page.locator("[data-sso-refused=no_role]").count() == 1
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    assert "/login/" in page.url or "/sso/saml/acs/" in page.url
    _shot(page, "refused_no_role_ar")
    bo.refresh_from_db()
    assert not bo.is_active  # removed from every mapped group: deactivated
    refusal = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert refusal.extra["refused"]["subject"] == "bo-0001" and refusal.extra["refused"]["groups"] == ["marketing"]
    # and nobody is signed in
    page.goto("/")
    assert "/login/" in page.url


@pytest.mark.parametrize("mode", ["unsigned", "tampered"])
def test_an_unsigned_or_tampered_answer_is_refused(saml_idp, new_context, mode, caplog):
    saml_idp.set_user("cy", groups=["cs-readers"])
    saml_idp.set_mode(mode)
    page = new_context().new_page()
    statuses = []
    page.on("response", lambda r: statuses.append(r.status) if r.url.endswith("/sso/saml/acs/") else None)
    sign_in_at_idp(page, "cy")
    assert statuses == [403]
    assert page.locator("[data-sso-refused=rejected]").count() == 1
    assert "SignatureError" in caplog.text  # pysaml2 refused it for its signature, not another reason
    if mode == "tampered":
        _shot(page, "refused_tampered")
    assert not User.objects.filter(external_identities__subject="cy-0001").exists()
    assert not User.objects.filter(role="admin").exists()
    page.goto("/")
    assert "/login/" in page.url


def test_a_replayed_answer_is_refused(saml_idp, new_context, live_server, caplog):
    saml_idp.set_user("di", groups=["cs-managers"])
    context = new_context()
    page = context.new_page()
    captured: list[str] = []
    sign_in_at_idp(page, "di", capture=captured)
    assert page.url == f"{live_server.url}/" and len(captured) == 1
    form = {k: v[0] for k, v in parse_qs(captured[0]).items()}
    # The same browser posts the same answer again: its request was answered already.
    again = context.request.post(f"{live_server.url}/sso/saml/acs/", form=form, max_redirects=0)
    assert again.status == 403 and "data-sso-refused" in again.text()
    assert "UnsolicitedResponse" in caplog.text
    # Another browser (an attacker who copied the answer) gets nothing either.
    other = new_context()
    stolen = other.request.post(f"{live_server.url}/sso/saml/acs/", form=form, max_redirects=0)
    assert stolen.status == 403
    page = other.new_page()
    page.goto("/")
    assert "/login/" in page.url


@pytest.mark.parametrize(
    "name,viewport,locale",
    [("desktop", None, "en-US"), ("phone", PHONE, "en-US"), ("arabic_phone", PHONE, "ar")],
)
def test_login_page_shows_the_button(saml_idp, new_context, name, viewport, locale):
    page = new_context(viewport=viewport, locale=locale, is_mobile=viewport is not None).new_page()
    page.goto("/login/")
    button = page.locator(BUTTON)
    assert button.count() == 1 and button.is_visible()
    assert page.evaluate(OVERFLOW) <= 0
    if locale == "ar":
        assert page.evaluate("document.documentElement.dir") == "rtl"
        assert "SAML" in button.inner_text() and button.inner_text() != "Sign in with single sign-on (SAML)"
    _shot(page, f"login_{name}")
