"""Item 9 of issue 15: styled 403 / 404 / 500 pages, JSON `{"code", "message"}` under /api/,
and a menu that shows only what the user may open."""

import json

import pytest
from django.contrib.auth.decorators import login_not_required
from django.test import Client, RequestFactory, override_settings
from django.urls import path, reverse

from core.choices import Role
from core.context_processors import navigation
from core.navigation import NAV_ITEMS
from csplatform import urls as project_urls
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@login_not_required
def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("api/v1/boom/", _boom),
    path("boom/", _boom),
    *project_urls.urlpatterns,
]
# This test URLconf answers errors with the project's handlers.
handler403, handler404, handler500 = project_urls.handler403, project_urls.handler404, project_urls.handler500


def test_a_page_above_the_users_role_answers_the_styled_403(client, csm_user):
    # given
    client.force_login(csm_user)
    # when
    response = client.get(reverse("health:backtest"))
    # then
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert 'data-error-page="403"' in body
    assert "This needs the Manager role." in body
    assert "app.css" in body


def test_an_unknown_page_answers_the_styled_404(client, csm_user):
    client.force_login(csm_user)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert 'data-error-page="404"' in response.content.decode()
    assert "Page not found" in response.content.decode()


@override_settings(ROOT_URLCONF=__name__)
def test_a_crash_answers_the_styled_500_without_a_database(django_assert_num_queries):
    # given: a client that renders the error as production does instead of raising it
    client = Client(raise_request_exception=False)
    # when
    with django_assert_num_queries(0):
        response = client.get("/boom/")
    # then
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert 'data-error-page="500"' in response.content.decode()
    assert "boom" not in response.content.decode()


def test_an_unknown_api_address_answers_json_404(client):
    response = client.get("/api/v1/no-such-collection/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "message": "Nothing is found at this address."}


def test_an_api_permission_error_answers_json_403(client, readonly_user):
    # given: a read-only user's session may read but not write
    client.force_login(readonly_user)
    # when
    response = client.post("/api/v1/accounts/", data=json.dumps({}), content_type="application/json", csrf=False)
    # then
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) >= {"code", "message"}
    assert body["message"]


@override_settings(ROOT_URLCONF=__name__)
def test_an_api_crash_answers_json_500():
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/boom/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "code": "server_error",
        "message": "The server failed to answer. The error has been logged.",
    }


@pytest.mark.parametrize("role", [Role.READONLY, Role.CSM, Role.MANAGER, Role.ADMIN])
def test_every_menu_item_a_role_sees_opens_for_that_role(role):
    """The menu never leads to a 403: each item's role is at least its page's."""
    # given
    user = UserFactory(role=role)
    client = Client()
    client.force_login(user)
    request = RequestFactory().get("/")
    request.user = user
    items = [i for items in navigation(request)["nav_sections"].values() for i in items]
    assert items
    # when / then
    for item in items:
        response = client.get(item["url"])
        assert response.status_code == 200, (role, item["label"], response.status_code)


def test_backtest_and_api_docs_are_hidden_below_their_roles():
    def labels(role):
        request = RequestFactory().get("/")
        request.user = UserFactory(role=role)
        return {str(i["label"]) for items in navigation(request)["nav_sections"].values() for i in items}

    assert "Health backtest" not in labels(Role.CSM)
    assert "Health backtest" not in labels(Role.READONLY)
    assert "Health backtest" in labels(Role.MANAGER)
    assert "API docs" not in labels(Role.MANAGER)
    assert "API docs" in labels(Role.ADMIN)
    assert {i.url_name for i in NAV_ITEMS.values()} >= {"api-docs", "health:backtest"}
