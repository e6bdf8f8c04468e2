"""Sessions read from Redis (core.sessions): one query less per signed-in request, and nothing
stale or foreign served (a logout, a deactivated user, another client's cookie)."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.sessions import SessionStore, _CappedCache
from tests.conftest import BrowserLikeClient

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(settings.SESSION_ENGINE != "core.sessions", reason="cached sessions need REDIS_URL"),
]


def _session_queries(client, path="/tasks/"):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    return response, [q["sql"] for q in ctx.captured_queries if "django_session" in q["sql"]]


def test_a_signed_in_request_reads_its_session_from_the_cache(csm_client):
    first, _ = _session_queries(csm_client)
    assert first.status_code == 200
    response, queries = _session_queries(csm_client)
    assert response.status_code == 200
    assert queries == []


def test_a_session_missing_from_the_cache_is_read_from_the_database(csm_client):
    cache.clear()  # e.g. Redis restarted empty
    response, queries = _session_queries(csm_client)
    assert response.status_code == 200
    assert len(queries) == 1
    assert _session_queries(csm_client)[1] == []  # and cached again


def test_after_a_logout_the_old_cookie_signs_nobody_in(csm_client):
    assert _session_queries(csm_client)[0].status_code == 200
    old = csm_client.cookies[settings.SESSION_COOKIE_NAME].value
    assert SessionStore.cache_key_prefix + old in cache
    csm_client.post("/logout/")
    assert SessionStore.cache_key_prefix + old not in cache
    other = BrowserLikeClient()
    other.cookies[settings.SESSION_COOKIE_NAME] = old
    response = other.get("/tasks/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_deactivated_user_with_a_cached_session_is_signed_out(csm_client, csm_user):
    assert _session_queries(csm_client)[0].status_code == 200
    csm_user.is_active = False
    csm_user.save(update_fields=["is_active"])
    response = csm_client.get("/tasks/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_each_cookie_gets_its_own_user(csm_user, admin_user):
    csm_client, admin_client = BrowserLikeClient(), BrowserLikeClient()
    csm_client.force_login(csm_user)
    admin_client.force_login(admin_user)
    for c, user in ((csm_client, csm_user), (admin_client, admin_user), (csm_client, csm_user)):
        response = c.get("/tasks/")
        assert response.status_code == 200
        assert response.wsgi_request.user.pk == user.pk


def test_the_cache_keeps_a_session_at_most_the_cap():
    calls = []

    class Inner:
        def set(self, key, value, timeout):
            calls.append(timeout)

    capped = _CappedCache(Inner(), 300)
    capped.set("k", {}, 1_209_600)
    capped.set("k", {}, 60)
    capped.set("k", {}, None)
    assert calls == [300, 60, 300]
