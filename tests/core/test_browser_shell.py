"""Browser: the staff shell's API docs work offline (issue 15, item 8) and the error pages are
styled (item 9)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _offline(page, live_server):
    """Refuse every request that leaves the test server, and record it."""
    outside = []

    def route(request_route):
        if request_route.request.url.startswith(live_server.url):
            request_route.continue_()
        else:
            outside.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    return outside


def test_api_docs_render_the_operations_offline(page, live_server, login, admin_user, screenshot):
    # given: an admin, and a browser that cannot leave the test server
    outside = _offline(page, live_server)
    login(admin_user)
    # when: the menu's API docs item is followed
    page.click("nav.sidebar a.nav:has-text('API docs')")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    # then
    assert page.url.endswith("/api/docs/")
    assert page.locator(".swagger-ui .opblock").count() > 20
    assert page.locator(".swagger-ui .opblock-summary-path", has_text="/api/v1/accounts/").count() >= 1
    assert outside == []
    screenshot("api-docs-offline", full_page=False)


def test_a_csm_sees_the_styled_403_and_404(page, login, csm_user, screenshot):
    # given
    login(csm_user)
    # when
    response = page.goto("/health/backtest/")
    # then
    assert response.status == 403
    assert page.locator("[data-error-page='403'] h1").inner_text() == "You can't open this page"
    assert "This needs the Manager role." in page.locator("[data-error-message]").inner_text()
    screenshot("error-403")
    response = page.goto("/no/such/page/")
    assert response.status == 404
    assert page.locator("[data-error-page='404'] h1").inner_text() == "Page not found"
    page.click("text=Go to home")
    page.wait_for_load_state()
    assert page.url.endswith("/")
