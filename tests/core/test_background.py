"""core.background: work a page asks for runs after commit, off the request, in each mode."""

from unittest import mock

import pytest
from celery import shared_task
from django.test import override_settings

from core.background import background_threads_idle, run_in_background

CALLS: list[tuple] = []


@shared_task
def record_task(value: int, *, name: str = "") -> int:
    import threading

    CALLS.append((value, name, threading.current_thread().name))
    return value


@pytest.fixture(autouse=True)
def _clear():
    CALLS.clear()


@pytest.mark.django_db
def test_thread_mode_runs_after_commit_in_another_thread(django_capture_on_commit_callbacks):
    with override_settings(BACKGROUND_RUNNER="thread"):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            run_in_background(record_task, args=[1], kwargs={"name": "x"})
            assert CALLS == []  # nothing before the commit
        assert len(callbacks) == 1
    assert background_threads_idle(10)
    assert [(v, n) for v, n, _ in CALLS] == [(1, "x")]
    assert CALLS[0][2].startswith("background:")


@pytest.mark.django_db
def test_inline_and_celery_modes(django_capture_on_commit_callbacks):
    with override_settings(BACKGROUND_RUNNER="inline"), django_capture_on_commit_callbacks(execute=True):
        run_in_background(record_task, args=[2])
    assert [v for v, _, _ in CALLS] == [2]
    with (
        override_settings(BACKGROUND_RUNNER="celery"),
        mock.patch.object(record_task, "apply_async") as apply_async,
        django_capture_on_commit_callbacks(execute=True),
    ):
        run_in_background(record_task, args=[3], kwargs={"name": "y"})
    apply_async.assert_called_once_with(args=[3], kwargs={"name": "y"})


@pytest.mark.django_db
def test_a_failing_task_does_not_kill_the_caller(django_capture_on_commit_callbacks, caplog):
    @shared_task
    def broken_task() -> None:
        raise RuntimeError("boom")

    with override_settings(BACKGROUND_RUNNER="thread"), django_capture_on_commit_callbacks(execute=True):
        run_in_background(broken_task)
    assert background_threads_idle(10)
    assert "boom" in caplog.text
