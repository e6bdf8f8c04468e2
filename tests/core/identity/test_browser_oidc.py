"""Browser: single sign-on with OpenID Connect against a real provider (django-oauth-toolkit in
a subprocess). A fresh browser clicks the provider's button on /login/, signs in at the
provider and lands on the home page as a CSM; a group change at the provider makes them an
admin at the next sign-in; a person in no mapped group and a tampered state get pages, not
errors. The sign-in page with the button on a desktop, a phone and in Arabic. Screenshots:
artifacts/screenshots/oidc-*.png."""

from urllib.parse import urlsplit

import pytest

from core.audit.models import AuditAction, AuditEvent
from core.models import User
from tests.conftest import SCREENSHOTS

from .oidc_server import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def sso(oidc_settings, oidc_provider, live_server):
    oidc_provider.allow_redirect(f"{live_server.url}/sso/oidc/callback/")
    oidc_settings.PULSE_OIDC_PROVIDER_NAME = "Acme ID"
    return oidc_provider


@pytest.fixture
def fresh(browser, live_server):
    """`fresh(**context_options)`: a new page in a browser that has never seen Pulse."""
    contexts = []

    def make(**options):
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def _shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"oidc-{name}.png"), full_page=True)


def _sign_in(page, username):
    page.goto("/login/")
    page.click("a[data-login-method=oidc]")
    page.wait_for_selector("#op-username")
    page.fill("#op-username", username)
    page.fill("#op-password", PASSWORD)
    page.click("#op-submit")
    page.wait_for_load_state("networkidle")


def test_sign_in_at_the_provider_lands_home_and_a_group_change_moves_the_role(sso, fresh, live_server):
    sso.person("alice", "cs-team")
    page = fresh()
    page.goto("/login/")
    button = page.locator("a[data-login-method=oidc]")
    assert button.inner_text() == "Sign in with Acme ID"
    _shot(page, "login-desktop")
    _sign_in(page, "alice")
    assert page.url == f"{live_server.url}/"
    assert page.locator("nav.sidebar").count() == 1
    user = User.objects.get(username="alice")
    assert user.role == "csm"
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=user).count() == 1
    _shot(page, "home-after-sign-in")

    sso.person("alice", "cs-admins")
    page = fresh()
    _sign_in(page, "alice")
    assert page.url == f"{live_server.url}/"
    assert User.objects.get(username="alice").role == "admin"
    page.goto("/team/users/")  # admin only
    assert page.locator("h1").count() >= 1 and "/login/" not in page.url


def test_a_person_in_no_mapped_group_is_refused_with_a_page(sso, fresh):
    sso.person("carla", "sales")
    page = fresh()
    _sign_in(page, "carla")
    assert page.locator("[data-sso-failed=refused]").count() == 1
    assert page.locator("h1").inner_text() == "No access to Pulse CS"
    _shot(page, "refused-desktop")
    page.goto("/")
    assert "/login/" in page.url
    assert not User.objects.filter(username="carla").exists()


def test_a_tampered_state_is_refused(sso, fresh):
    """The state that comes back from the provider is not the one this browser was given: the
    provider echoes whatever the authorization request carried, so the request is edited at the
    provider's sign-in form (Playwright does not intercept redirects)."""
    sso.person("farah", "cs-team")
    page = fresh()
    page.goto("/login/")
    page.click("a[data-login-method=oidc]")
    page.wait_for_selector("#op-username")
    page.evaluate(
        """() => { const next = document.querySelector('input[name=next]');
        next.value = next.value.replace(/state=[^&]+/, 'state=forged-by-someone-else'); }"""
    )
    page.fill("#op-username", "farah")
    page.fill("#op-password", PASSWORD)
    page.click("#op-submit")
    page.wait_for_load_state("networkidle")
    assert "state=forged-by-someone-else" in page.url
    assert page.locator("[data-sso-failed=failed]").count() == 1
    page.goto("/")
    assert "/login/" in page.url
    assert not User.objects.filter(username="farah").exists()


OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


def test_the_sign_in_page_with_the_button_on_a_phone(sso, fresh):
    page = fresh(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto("/login/")
    button = page.locator("a[data-login-method=oidc]").bounding_box()
    assert button["x"] >= 0 and button["x"] + button["width"] <= PHONE["width"]
    assert page.evaluate("window.innerWidth") == PHONE["width"] and page.evaluate(OVERFLOW) <= 0
    _shot(page, "login-phone")
    sso.person("gita", "cs-team")
    _sign_in(page, "gita")
    assert urlsplit(page.url).path == "/"


def test_the_sign_in_page_and_the_refusal_in_arabic(sso, fresh):
    sso.person("dalia", "sales")
    page = fresh(locale="ar")
    page.goto("/login/")
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    assert page.locator("a[data-login-method=oidc]").inner_text() == "تسجيل الدخول عبر Acme ID"
    _shot(page, "login-ar")
    _sign_in(page, "dalia")
    assert page.locator("h1").inner_text() == "لا وصول إلى Pulse CS"
    assert page.evaluate("document.documentElement.dir") == "rtl"
    _shot(page, "refused-ar")
