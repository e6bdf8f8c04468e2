"""Pins on the framework internals our code relies on, so that an upgrade that changes one fails
here, loudly and by name, instead of somewhere deep in a page or an ingest.

- `surveys.sql.answer_cursor`: the PostgreSQL backend's `ServerBindingCursor`, psycopg's
  `Cursor.execute(prepare=, binary=)` and `prepare_threshold`, and the connection wrapper's
  `make_cursor`, `wrap_database_errors`, `close_if_health_check_failed`, `validate_thread_sharing`,
  `queries_logged`.
- `core.middleware.LoginRequiredMiddleware`: Django's `process_view(request, view_func, view_args,
  view_kwargs)`; DRF's `as_view()` setting `.cls` on the view.
- `surveys.middleware.WidgetMiddleware`: `login_not_required` setting `view.login_required = False`,
  `csrf_exempt` setting `view.csrf_exempt = True`; Common / XFrameOptions middleware around a callable.
- `tests/conftest.py`: Celery's `_state._set_task_join_will_block`.
"""

import inspect

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.test import RequestFactory
from django.views.decorators.csrf import csrf_exempt
from rest_framework.views import APIView


def test_postgresql_server_binding_cursor_takes_prepare_and_binary():
    import psycopg
    from django.db.backends.postgresql.base import ServerBindingCursor

    assert issubclass(ServerBindingCursor, psycopg.Cursor)
    params = inspect.signature(psycopg.Cursor.execute).parameters
    assert {"prepare", "binary"} <= set(params)
    assert "prepare_threshold" in dir(psycopg.Connection)


def test_connection_wrapper_has_what_the_prepared_cursor_calls():
    for name in ("make_cursor", "wrap_database_errors", "close_if_health_check_failed", "validate_thread_sharing"):
        assert hasattr(BaseDatabaseWrapper, name), name
    assert isinstance(inspect.getattr_static(BaseDatabaseWrapper, "queries_logged"), property)


def test_login_required_middleware_process_view_signature():
    params = list(inspect.signature(LoginRequiredMiddleware.process_view).parameters)
    assert params == ["self", "request", "view_func", "view_args", "view_kwargs"]


def test_drf_views_carry_their_class():
    class Probe(APIView):
        pass

    assert Probe.as_view().cls is Probe


def test_view_decorators_mark_the_view_as_the_widget_middleware_reads_them():
    def view(request):
        return HttpResponse("ok")

    assert getattr(view, "login_required", True) is True
    assert login_not_required(view).login_required is False
    assert csrf_exempt(view).csrf_exempt is True


def test_common_and_xframe_middleware_wrap_a_plain_callable():
    chain = CommonMiddleware(XFrameOptionsMiddleware(lambda request: HttpResponse("ok")))
    response = chain(RequestFactory().get("/widget/x/"))
    assert response.status_code == 200 and response["X-Frame-Options"]


def test_celery_join_flag_setter_exists():
    from celery._state import _set_task_join_will_block, task_join_will_block

    before = task_join_will_block()
    _set_task_join_will_block(True)
    assert task_join_will_block() is True
    _set_task_join_will_block(before)
