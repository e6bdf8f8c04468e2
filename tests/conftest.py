"""Shared fixtures: users in each role, logged-in clients, API clients with keys, and a
Playwright browser (Debian's Chromium) against pytest-django's live server."""

import os
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from core.choices import APIKeyScope, Role
from core.services import api_key_create
from tests.factories import UserFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"


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
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1440, "height": 900})
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
