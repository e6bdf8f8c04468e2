"""Database plumbing shared by every app's `sql` seam (STYLE.md §9).

Domain modules never look at `connection.vendor`: each app keeps its database-specific fast
paths in `<app>/sql.py` (or a `sql/` package), a portable and a PostgreSQL implementation of one
small function side by side, and those seams ask this module which backend they are on.

- `is_postgresql()`: the one vendor check.
- `chunked()` / `lookup_by()`: an `IN (...)` lookup over any number of values, below SQLite's
  bound-parameter limit (one query on PostgreSQL).
- `Pipeline`: one background worker thread that runs submitted calls in order, with a bounded
  queue: Python builds chunk k+1 while the database stores chunk k (one core each).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from typing import Any

from django.db import connection, connections

__all__ = ["IN_CHUNK", "Pipeline", "chunked", "is_postgresql", "lookup_by"]

IN_CHUNK = 900  # below SQLite's default bound-parameter limit (999)


def is_postgresql(using: str = "default") -> bool:
    """True on PostgreSQL. The only place outside the `sql` seams that names a vendor."""
    return connections[using].vendor == "postgresql"


def chunked[T](values: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """`values` in slices of at most `size` (in order)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def lookup_by(queryset, field: str, values: Iterable[Any]) -> dict[Any, Any]:
    """{value of `field`: object} for the objects of `queryset` whose `field` is in `values`
    (duplicates and order do not matter). One `IN (...)` query on PostgreSQL (Django binds the
    parameters client-side there: no limit on their number); slices of IN_CHUNK on SQLite, whose
    statements take at most 999 parameters."""
    values = list(dict.fromkeys(values))
    if not values:
        return {}
    size = len(values) if is_postgresql(queryset.db) else IN_CHUNK
    found: dict[Any, Any] = {}
    for part in chunked(values, size):
        found.update({getattr(o, field): o for o in queryset.filter(**{f"{field}__in": list(part)})})
    return found


class Pipeline:
    """One background worker thread running submitted calls in the order given.

    `submit(fn, *args)` returns a Future and blocks while `depth` calls are already waiting
    (0 = unbounded), so a fast producer cannot run ahead of the database by more than `depth`
    chunks; `waited` adds up how long it was blocked. `close()` waits for every call and
    re-raises the first error; after an error the remaining calls are skipped.

    The worker may use a raw connection handed to it (the caller's: then the caller leaves that
    connection alone until `close()`), or Django's own connection for its thread: with
    `own_connection=True` that connection is closed when the pipeline closes (Django's
    connections are per thread and would otherwise stay open).
    """

    def __init__(self, name: str, *, depth: int = 0, own_connection: bool = False):
        self.name = name
        self.own_connection = own_connection
        self.waited = 0.0
        self.error: BaseException | None = None
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._closed = False
        self._thread.start()

    def _run(self) -> None:
        try:
            for future, fn, args, kwargs in iter(self._queue.get, None):
                if self.error is not None or not future.set_running_or_notify_cancel():
                    future.cancel()
                    continue
                try:
                    future.set_result(fn(*args, **kwargs))
                except BaseException as exc:  # handed to the caller by the future and close()
                    self.error = exc
                    future.set_exception(exc)
        finally:
            if self.own_connection:
                connection.close()

    def submit[T](self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        if self._closed:
            raise RuntimeError(f"pipeline {self.name} is closed")
        if self.error is not None:
            raise self.error
        future: Future[T] = Future()
        started = time.perf_counter()
        self._queue.put((future, fn, args, kwargs))
        self.waited += time.perf_counter() - started
        return future

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._queue.put(None)
            self._thread.join()
        if self.error is not None:
            raise self.error

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
            return
        # Already failing: stop the worker, keep the caller's exception.
        try:
            self.close()
        except BaseException:  # noqa: BLE001, S110 - the first error is the one raised
            pass
