"""The Content-Security-Policy (issue 23): every page carries a strict policy (scripts from our
origin or with the request's nonce, no eval, no framing), no template carries an inline event
handler or a script without the nonce, the widget's endpoints stay outside it (their script runs
on customers' sites), and in a real browser the pages that use scripts raise no violation."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories.accounts import AccountFactory

TEMPLATES = Path(settings.BASE_DIR) / "templates"
SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
HANDLER = re.compile(r"\s(on[a-z]+|hx-on(:|-)[\w:-]+)\s*=", re.I)
SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>", re.I)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_a_page_carries_the_strict_policy(admin_client):
    response = admin_client.get("/health/backtest/")
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    nonce = next(v for v in policy["script-src"] if v.startswith("'nonce-"))[len("'nonce-") : -1]
    # The page's inline script carries this request's nonce, and only this one.
    assert f'<script nonce="{nonce}">' in response.content.decode()
    assert admin_client.get("/health/backtest/")["Content-Security-Policy"] != response["Content-Security-Policy"]


def test_the_login_page_and_the_api_carry_it_too(client, api_read):
    assert "script-src 'self'" in client.get("/login/")["Content-Security-Policy"]
    assert "default-src 'self'" in api_read.get("/api/v1/accounts/")["Content-Security-Policy"]


def test_the_widget_endpoints_are_left_to_the_customers_policy(client):
    response = client.get("/widget/v1.js")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response


def test_no_template_has_an_inline_handler_or_a_script_without_the_nonce():
    handlers, scripts = [], []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for n, line in enumerate(text.splitlines(), 1):
            # Only inside tags: `on…=` in text or in a {% translate %} string is not a handler.
            for tag in re.findall(r"<[a-zA-Z][^<>]*>", line):
                if HANDLER.search(tag):
                    handlers.append(f"{path.relative_to(TEMPLATES)}:{n}: {tag[:80]}")
        for match in SCRIPT.finditer(text):
            attrs = match.group("attrs")
            if "src=" not in attrs and "csp_nonce" not in attrs and "application/json" not in attrs:
                scripts.append(f"{path.relative_to(TEMPLATES)}: <script{attrs}>")
    assert not handlers, "inline event handlers (use static/js/behaviors.js data-* attributes):\n" + "\n".join(handlers)
    assert not scripts, 'inline scripts without nonce="{{ request.csp_nonce }}":\n' + "\n".join(scripts)


def test_the_report_only_switch(monkeypatch, client, settings):
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY, settings.CONTENT_SECURITY_POLICY = (
        settings.CONTENT_SECURITY_POLICY,
        None,
    )
    response = client.get("/login/")
    assert "Content-Security-Policy" not in response
    assert "script-src 'self'" in response["Content-Security-Policy-Report-Only"]

    import importlib

    import csplatform.settings as live

    monkeypatch.setenv("PULSE_CSP_REPORT_ONLY", "1")
    try:
        reloaded = importlib.reload(live)
        assert reloaded.CONTENT_SECURITY_POLICY_REPORT_ONLY["DIRECTIVES"]["script-src"]
        assert reloaded.CONTENT_SECURITY_POLICY is None
    finally:
        monkeypatch.delenv("PULSE_CSP_REPORT_ONLY")
        importlib.reload(live)


VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


@pytest.fixture
def strict_page(browser, live_server, admin_user):
    """A page under the policy (the shared `page` fixture bypasses it), signed in as an admin,
    recording every violation in window.__csp."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1440, "height": 900})
    context.set_default_timeout(15_000)
    context.add_init_script(VIOLATIONS)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", admin_user.username)
    page.fill("#id_password", "pass1234!")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    yield page
    context.close()


@pytest.mark.browser
def test_pages_with_scripts_raise_no_violation_and_their_behaviours_work(strict_page):
    page = strict_page
    AccountFactory(name="Acme")
    for path in (
        "/accounts/",
        "/dashboard/",
        "/health/backtest/",
        "/playbooks/new/",
        "/success/ttfv/",
        "/accounts/views/new/",
        "/accounts/fx-rates/",
        "/api/docs/",
    ):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__csp") == [], path
    # Swagger UI starts from its separate init script (no inline script needed).
    page.goto("/api/docs/")
    page.wait_for_selector("#swagger-ui .information-container", timeout=15_000)

    # A new API key: the copy button copies the key and says so (was an inline onclick).
    page.goto("/team/api-keys/")
    page.fill("input[name=name]", "CSP check")
    page.click("form.card-body button[type=submit]")
    page.wait_for_selector("#raw-key")
    key = page.inner_text("#raw-key").strip()
    page.click("[data-copy-from='#raw-key']")
    assert page.inner_text("[data-copy-from='#raw-key']") == "Copied"
    assert page.evaluate("navigator.clipboard.readText()") == key
    # Revoking asks first (was an inline onsubmit): dismissing keeps the key.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("form[data-confirm] button[type=submit]")
    assert page.locator("form[data-confirm]").count() == 1
    assert page.evaluate("window.__csp") == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "csp_api_keys.png"), full_page=True)
