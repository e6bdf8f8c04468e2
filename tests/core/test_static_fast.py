"""`{% static %}` looks each path up once per storage (core/templatetags/static_fast.py) and gives
the URL Django's tag gives, afresh after the storage is remade (issue 23's page floor)."""

from unittest import mock

from django.contrib.staticfiles.storage import staticfiles_storage
from django.template import Context, Template
from django.templatetags.static import static
from django.test import override_settings


def _tag(path: str) -> str:
    return Template("{% load static %}{% static path %}").render(Context({"path": path}))


def test_the_url_is_djangos_and_asked_of_the_storage_once():
    # given the storage made afresh
    with override_settings(STATIC_URL="/kept-static/"):
        expected = static("css/app.css")
        # when the tag draws the same path three times
        with mock.patch.object(type(staticfiles_storage._wrapped), "url", autospec=True, return_value=expected) as url:
            drawn = {_tag("css/app.css") for _ in range(3)}
        # then the URL is Django's, and the storage was asked at most once
        assert drawn == {expected}
        assert url.call_count <= 1


def test_a_remade_storage_is_asked_again():
    with override_settings(STATIC_URL="/one/"):
        one = _tag("js/shell.js")
    with override_settings(STATIC_URL="/two/"):
        two = _tag("js/shell.js")
    assert one.startswith("/one/") and two.startswith("/two/")


@override_settings(DEBUG=True)
def test_with_debug_nothing_is_kept():
    with override_settings(STATIC_URL="/debug/"):
        _tag("js/shell.js")
        assert not getattr(staticfiles_storage._wrapped, "_pulse_static_urls", None)
