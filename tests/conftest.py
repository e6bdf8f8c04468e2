"""Shared fixtures: users in each role, logged-in clients, API clients with keys, and a
Playwright browser (Debian's Chromium) against pytest-django's live server."""

import os
import re
from pathlib import Path

import pytest
from django.test import Client
from rest_framework.test import APIClient

from core.choices import APIKeyScope, Role
from core.services import api_key_create
from tests.factories import UserFactory

LOCALE = Path(__file__).resolve().parent.parent / "locale"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"


# Section: compiled translations


def pytest_configure(config):
    """Compile each gettext catalogue whose .mo is missing or older than its .po (Babel, as `make
    catalogues` does): the .mo files are not committed, and a bare `pytest` run must not show
    every customer page in English."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in LOCALE.glob("*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        with mo.open("wb") as target:
            write_mo(target, catalog)


# Section: a test client that enforces CSRF as production does

_PAGE_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class BrowserLikeClient(Client):
    """Django's test client with CSRF checks on, sending only the token a browser would have.

    Django's own client skips CSRF checks, so a form rendered without `{% csrf_token %}` (or a
    public view that is not exempt) passes every test and fails every customer. This client
    enforces the checks and, like a browser, knows a token only from a page it was served: the
    last HTML response's `csrfmiddlewaretoken` field or the `hx-headers` X-CSRFToken our pages
    carry. A test that posts must first GET the page that holds the form; a post with no page
    behind it has no token and gets the 403 a browser would. Pass `csrfmiddlewaretoken` in the
    data or an `X-CSRFToken` header to send a token of your own (or none: `csrf=False`).
    """

    def __init__(self, *args, **kwargs):
        kwargs["enforce_csrf_checks"] = True
        super().__init__(*args, **kwargs)
        self.page_token: str | None = None

    def request(self, **request):
        response = super().request(**request)
        if "html" in response.get("Content-Type", "") and not getattr(response, "streaming", False):
            match = _PAGE_TOKEN.search(response.content)
            if match:
                self.page_token = (match.group(1) or match.group(2)).decode()
        return response

    def generic(self, method, path, data="", content_type="application/octet-stream", secure=False, **extra):
        send_token = extra.pop("csrf", True)
        headers = extra.get("headers") or {}
        has_own = "HTTP_X_CSRFTOKEN" in extra or any(k.lower() == "x-csrftoken" for k in headers)
        if method.upper() in _UNSAFE and send_token and not has_own and self.page_token:
            if not (
                isinstance(data, (bytes, str))
                and b"csrfmiddlewaretoken" in (data if isinstance(data, bytes) else data.encode())
            ):
                extra["HTTP_X_CSRFTOKEN"] = self.page_token
        return super().generic(method, path, data, content_type, secure=secure, **extra)

    def login(self, **credentials):
        self.page_token = None
        return super().login(**credentials)

    def force_login(self, user, backend=None):
        self.page_token = None  # logging in rotates the CSRF secret: tokens of earlier pages are void
        return super().force_login(user, backend)

    def logout(self):
        self.page_token = None
        return super().logout()


@pytest.fixture
def client():
    """The project's test client enforces CSRF checks (see BrowserLikeClient)."""
    return BrowserLikeClient()


@pytest.fixture(autouse=True)
def _clear_cache_after():
    """Pages cache what is slow to compute (e.g. the portfolio's segment choices, for five
    minutes): nothing a test leaves in the cache may leak into the tests that follow."""
    yield
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _celery_join_flag_reset():
    """Eager tasks run inside the live server's threads and the test's own thread at once, and
    Celery keeps "a task is running here, joins would block" in one process-wide flag that each
    eager run saves and restores: two runs that overlap can leave it set for good, and a later
    test's `result.get()` then fails with "Never call result.get() within a task!"."""
    yield
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role=Role.ADMIN, first_name="Ada", last_name="Admin")


@pytest.fixture
def manager_user(db):
    return UserFactory(username="manager", role=Role.MANAGER, first_name="Mia", last_name="Manager")


@pytest.fixture
def csm_user(db, manager_user):
    return UserFactory(username="csm", role=Role.CSM, first_name="Carl", last_name="Success", manager=manager_user)


@pytest.fixture
def readonly_user(db):
    return UserFactory(username="viewer", role=Role.READONLY, first_name="Vic", last_name="Viewer")


@pytest.fixture
def user_for_role(db):
    """Factory fixture: a fresh user with the given role."""

    def make(role: str):
        return UserFactory(role=role)

    return make


@pytest.fixture
def csm_client(client, csm_user):
    client.force_login(csm_user)
    return client


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def htmx_headers():
    return {"HTTP_HX_REQUEST": "true"}


def _api_client_with_scope(scope: str) -> APIClient:
    _, raw = api_key_create(name=f"test-{scope}", scope=scope)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.raw_key = raw
    return client


@pytest.fixture
def api_write(db) -> APIClient:
    return _api_client_with_scope(APIKeyScope.WRITE)


@pytest.fixture
def api_read(db) -> APIClient:
    return _api_client_with_scope(APIKeyScope.READ)


@pytest.fixture
def api_ingest(db) -> APIClient:
    return _api_client_with_scope(APIKeyScope.INGEST)


# Section: the test database


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request, tmp_path_factory):
    """pytest-django's test database, migrated as usual; when the session runs the multi-host
    tests on PostgreSQL, also dumped before any test writes to it, so tests/multihost loads it on
    its hosts instead of running every migration again (tests/multihost/hosts.py)."""
    from tests.multihost.hosts import migrated_dump

    with django_db_blocker.unblock():
        migrated_dump(request, tmp_path_factory.mktemp("migrated"))


# Section: browser


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium); browser tests skipped")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
    # body are still plain synchronous code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    # bypass_csp: Playwright's wait_for_function evaluates its string in the page, which our
    # Content-Security-Policy forbids; tests/core/test_csp.py checks the pages under the policy.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1440, "height": 900}, bypass_csp=True)
    context.set_default_timeout(10_000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def login(page):
    """`login(user)` signs the user in through the real login form."""

    def do_login(user, password: str = "pass1234!"):
        page.goto("/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    return do_login


@pytest.fixture
def screenshot(page):
    """`screenshot("name")` saves artifacts/screenshots/name.png for a person to look at."""

    def take(name: str, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
