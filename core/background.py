"""Run a Celery task away from the request that asked for it, in every run mode, by
settings.BACKGROUND_RUNNER (the same three modes as core.webhook_sender):

- "celery" (a broker is configured): `task.apply_async` after commit; a worker runs it.
- "thread" (the embedded mode: Celery eager, no worker): after commit, a daemon thread of the
  web process runs the task (`task.apply`, so retries and eager semantics stay Celery's) and
  closes its database connection at the end. An eager `.delay()` would run inside the request:
  a four-minute theme recompute held the page for four minutes (issue 22).
- "inline": `task.delay` in the caller, after commit (tests that want the outcome at once).

A task run this way reports its own progress (in the cache or a row) for the page to poll; the
thread is lost if the process stops, so such work must be safe to start again (stale progress
lets a new request start it).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections, transaction

__all__ = ["background_threads_idle", "run_in_background"]

logger = logging.getLogger(__name__)

_threads: list[threading.Thread] = []
_lock = threading.Lock()


def run_in_background(task: Any, *, args: Sequence[Any] = (), kwargs: dict | None = None) -> None:
    """Queue `task(*args, **kwargs)` after the current transaction commits, off the request."""
    mode = getattr(settings, "BACKGROUND_RUNNER", "celery")
    arguments, keywords = list(args), dict(kwargs or {})
    if mode == "thread":
        transaction.on_commit(lambda: _start_thread(task, arguments, keywords))
    elif mode == "inline":
        transaction.on_commit(lambda: task.delay(*arguments, **keywords))
    else:
        transaction.on_commit(lambda: task.apply_async(args=arguments, kwargs=keywords))


def _start_thread(task: Any, args: list, kwargs: dict) -> None:
    thread = threading.Thread(target=_run, args=(task, args, kwargs), name=f"background:{task.name}", daemon=True)
    with _lock:
        _threads[:] = [t for t in _threads if t.is_alive()]
        _threads.append(thread)
    thread.start()


def _run(task: Any, args: list, kwargs: dict) -> None:
    try:
        close_old_connections()
        result = task.apply(args=args, kwargs=kwargs)
        if result.failed():
            logger.error("background task %s failed: %r", task.name, result.result)
    except Exception:  # noqa: BLE001  a thread has no caller to raise to
        logger.exception("background task %s failed", task.name)
    finally:
        connections.close_all()


def background_threads_idle(timeout: float = 30.0) -> bool:
    """True once every thread started here has finished (for tests)."""
    with _lock:
        threads = list(_threads)
    for thread in threads:
        thread.join(timeout)
    return not any(t.is_alive() for t in threads)
