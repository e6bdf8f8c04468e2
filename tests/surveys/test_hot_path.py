"""The answer endpoint's hot path (issue 5's benchmark): the widget middleware keeps the checks
that still apply, the token shortcut agrees with django.core.signing, and on PostgreSQL the
answer's statement is prepared."""

import json
import time
from unittest import mock

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.db import connection
from django.http import HttpResponse
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from surveys.middleware import WidgetMiddleware
from surveys.models import SurveyDelivery, SurveyResponse
from surveys.tokens import SALTS, TokenError, TokenExpired, make_token, read_token
from tests.factories import AccountFactory, ContactFactory
from tests.factories.surveys import SurveyFactory, SurveyWorkspaceFactory
from tests.surveys.conftest import widget_token

pytestmark = pytest.mark.django_db
ORIGIN = "https://app.example.com"
PAYLOAD = {"d": 12, "s": 3, "k": "nps", "c": 45, "a": 6, "u": "user-1", "w": 7, "l": "ar"}


@pytest.fixture
def answer_body():
    workspace = SurveyWorkspaceFactory()
    survey = SurveyFactory(workspace=workspace, kind="nps")
    contact = ContactFactory(account=AccountFactory(), external_id="user-1")
    delivery = SurveyDelivery.objects.create(survey=survey, contact=contact, account=contact.account, channel="widget")
    token = widget_token(delivery, workspace)
    body = {"user_id": "user-1", "user_hash": workspace.user_hash("user-1"), "token": token, "score": 3}
    return workspace, json.dumps(body)


def post_answer(client, workspace, body, **extra):
    return client.post(
        f"/widget/{workspace.key}/answer/", data=body, content_type="text/plain", HTTP_ORIGIN=ORIGIN, **extra
    )


# Section: the widget middleware


def test_widget_answer_skips_sessions_and_auth_but_keeps_host_check_and_headers(client, answer_body):
    workspace, body = answer_body
    with mock.patch("django.contrib.sessions.middleware.SessionMiddleware.process_request") as session:
        response = post_answer(client, workspace, body)
    assert response.status_code == 200, response.content
    assert not session.called
    assert not hasattr(response.wsgi_request, "user") and not hasattr(response.wsgi_request, "session")
    assert response["X-Frame-Options"] == "DENY"  # XFrameOptionsMiddleware
    assert response["X-Content-Type-Options"] == "nosniff"  # SecurityMiddleware
    assert response["Content-Length"] == str(len(response.content))  # CommonMiddleware
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert not response.cookies
    # ALLOWED_HOSTS still applies
    assert post_answer(client, workspace, body, HTTP_HOST="evil.example.com").status_code == 400


def _private(request):
    return HttpResponse("private")


@login_not_required
def _public_post(request):
    return HttpResponse("no csrf exemption")


@csrf_exempt
@login_not_required
def _public(request):
    return HttpResponse("public")


urlpatterns = [
    path("widget/private/", _private),
    path("widget/post/", _public_post),
    path("widget/public/", _public),
]


@pytest.mark.parametrize(
    ("method", "url", "fast"),
    [
        ("post", "/widget/private/", False),  # needs a login: LoginRequiredMiddleware must see it
        ("get", "/widget/private/", False),
        ("post", "/widget/post/", False),  # not CSRF-exempt: CsrfViewMiddleware must see the POST
        ("get", "/widget/post/", True),
        ("post", "/widget/public/", True),
        ("post", "/surveys/", False),
    ],
)
def test_only_public_csrf_exempt_widget_views_skip_the_stack(rf, method, url, fast):
    request = getattr(rf, method)(url)
    request.urlconf = __name__
    full_stack = mock.Mock(return_value=HttpResponse("stack"))
    response = WidgetMiddleware(full_stack)(request)
    assert full_stack.called is not fast
    assert (response.content != b"stack") is fast


def test_other_paths_take_the_whole_stack(client):
    # no widget view matches: the usual 404, through the usual middleware
    assert client.post("/widget/nope", data="{}", content_type="text/plain").status_code == 404
    # any other page still needs a login
    response = client.get("/surveys/")
    assert response.status_code == 302 and "/login/" in response["Location"]


# Section: tokens


def test_token_shortcut_agrees_with_django_signing():
    token = make_token("widget", PAYLOAD)
    assert read_token("widget", token) == PAYLOAD == signing.loads(token, salt=SALTS["widget"])
    with pytest.raises(TokenError):
        read_token("email", token)  # another purpose's salt
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    with pytest.raises(TokenError):
        read_token("widget", tampered)
    forged = signing.dumps(PAYLOAD, key="another-secret-key", salt=SALTS["widget"], compress=True)
    with pytest.raises(TokenError):
        read_token("widget", forged)


def test_token_signed_with_a_fallback_key_is_still_read_and_expiry_is_kept():
    old = "old-secret-key-" + "x" * 40
    token = signing.dumps(PAYLOAD, key=old, salt=SALTS["widget"], compress=True)
    with override_settings(SECRET_KEY_FALLBACKS=[old]):
        assert read_token("widget", token) == PAYLOAD
    fresh = make_token("widget", PAYLOAD)
    with mock.patch("time.time", return_value=time.time() + 2 * 86400), pytest.raises(TokenExpired):
        read_token("widget", fresh)


# Section: the statement


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_answer_statement_is_prepared_on_postgresql(client, answer_body):
    workspace, body = answer_body
    assert post_answer(client, workspace, body).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        statements = [row[0] for row in cursor.fetchall()]
    assert any(s.startswith("INSERT INTO surveys_surveyresponse") for s in statements)
    assert SurveyResponse.objects.get().score == 3


def test_an_answer_is_one_statement_logged_in_full_while_captured(client, answer_body):
    workspace, body = answer_body
    assert post_answer(client, workspace, body).status_code == 200  # workspace and survey now cached
    changed = json.dumps({**json.loads(body), "score": 9, "comment": "better now"})
    with CaptureQueriesContext(connection) as queries:
        response = post_answer(client, workspace, changed)
    assert response.status_code == 200 and response.json()["created"] is False
    assert len(queries.captured_queries) == 1
    assert queries.captured_queries[0]["sql"].startswith("INSERT INTO surveys_surveyresponse")
    assert "better now" in queries.captured_queries[0]["sql"]  # the values, not placeholders
