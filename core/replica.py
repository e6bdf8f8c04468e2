"""Reads that may go to the PostgreSQL read replica, said explicitly (docs/deploy.md).

Nothing reads from the replica unless it runs inside `read_replica()` (a context manager and a
decorator; the reports selectors use it), a `replica` alias is configured
(`REPLICA_DATABASE_URL`), nothing was written in this request or task, no transaction is open on
the primary, and the replica is close enough: its replay lag below `PULSE_REPLICA_MAX_LAG`
seconds, checked at most every `PULSE_REPLICA_CHECK_SECONDS` per process. Otherwise the primary.
`core.db_router.ReplicaRouter` asks `read_alias()`; writes always go to the primary.

As a decorator, a database error met on the replica (it went down between two checks) marks it
down and runs the function again on the primary.
"""

from __future__ import annotations

import functools
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, overload

from django.conf import settings
from django.db import DatabaseError, connections

__all__ = [
    "PRIMARY",
    "REPLICA",
    "read_alias",
    "read_replica",
    "replica_configured",
    "replica_forget",
    "replica_lag_seconds",
    "request_scope",
    "wrote",
]

PRIMARY, REPLICA = "default", "replica"

_wanted: ContextVar[bool] = ContextVar("pulse_replica_wanted", default=False)
_wrote: ContextVar[bool] = ContextVar("pulse_replica_wrote", default=False)
_used: ContextVar[bool] = ContextVar("pulse_replica_used", default=False)

_lock = threading.Lock()
_checked: dict[str, float] = {"at": -math.inf, "lag": math.inf}


def replica_configured() -> bool:
    return REPLICA in connections.settings


def _close_replica() -> None:
    if REPLICA in connections.settings:
        connections[REPLICA].close()


def replica_lag_seconds() -> float:
    """Seconds the replica is behind the primary: 0 when it has replayed everything the primary
    has written, else the age of its last replayed transaction; infinity when it cannot be asked
    (down) or is not a standby (a test run's mirror of the default database is not asked)."""
    here, there = connections[PRIMARY].settings_dict, connections[REPLICA].settings_dict
    if all(here.get(key) == there.get(key) for key in ("NAME", "HOST", "PORT")):
        return math.inf
    try:
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            primary_lsn = cursor.fetchone()[0]
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn,"
                " EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())",
                [primary_lsn],
            )
            standby, caught_up, age = cursor.fetchone()
    except DatabaseError:
        _close_replica()
        return math.inf
    if not standby:
        return math.inf
    if caught_up:
        return 0.0
    return float(age) if age is not None else math.inf


def _lag() -> float:
    """`replica_lag_seconds()`, cached for PULSE_REPLICA_CHECK_SECONDS in this process."""
    now = time.monotonic()
    with _lock:
        if now - _checked["at"] < settings.PULSE_REPLICA_CHECK_SECONDS:
            return _checked["lag"]
    lag = replica_lag_seconds()
    with _lock:
        _checked.update(at=time.monotonic(), lag=lag)
    return lag


def replica_forget(down: bool = False) -> None:
    """Drop the cached lag (the next read checks again), or record the replica as down."""
    with _lock:
        _checked.update(at=time.monotonic() if down else -math.inf, lag=math.inf)


def wrote() -> None:
    """Called by the router on every write: later reads of this request or task go to the primary."""
    _wrote.set(True)


def read_alias() -> str:
    """The alias a read goes to now."""
    if not (_wanted.get() and replica_configured()) or _wrote.get():
        return PRIMARY
    if connections[PRIMARY].in_atomic_block:
        return PRIMARY
    if _lag() > settings.PULSE_REPLICA_MAX_LAG:
        return PRIMARY
    _used.set(True)
    return REPLICA


@contextmanager
def _replica_block() -> Iterator[None]:
    wanted, used = _wanted.set(True), _used.set(False)
    try:
        yield
    finally:
        _wanted.reset(wanted)
        _used.reset(used)


class _ReadReplica:
    """`with read_replica():` or `@read_replica()` (`@read_replica` too)."""

    def __enter__(self) -> None:
        self._block = _replica_block()
        self._block.__enter__()

    def __exit__(self, *exc: Any) -> None:
        self._block.__exit__(*exc)

    def __call__[F: Callable[..., Any]](self, func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with _replica_block():
                try:
                    return func(*args, **kwargs)
                except DatabaseError:
                    if not _used.get():
                        raise
                    _close_replica()
                    replica_forget(down=True)
            return func(*args, **kwargs)  # on the primary: the replica is marked down

        return wrapper  # type: ignore[return-value]


@overload
def read_replica[F: Callable[..., Any]](func: F) -> F: ...
@overload
def read_replica(func: None = None) -> _ReadReplica: ...
def read_replica(func: Callable[..., Any] | None = None) -> Any:
    """Reads inside may go to the replica (see the module's docstring)."""
    if func is not None:
        return _ReadReplica()(func)
    return _ReadReplica()


@contextmanager
def request_scope() -> Iterator[None]:
    """One request or task: its writes send its later reads to the primary, and no further."""
    token = _wrote.set(False)
    try:
        yield
    finally:
        _wrote.reset(token)
